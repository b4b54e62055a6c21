# SysV IPC and POSIX message queues across the sandbox boundary. Prints OK or the errno name (or the data read).
#   create KEY      make a 0666 SysV shared memory segment holding "outside-secret", a SysV queue, a
#                   semaphore set and a 0666 POSIX queue holding "outside-secret" (outside)
#   read KEY        find each by key or name; attach the segment / receive from the POSIX queue and print it
#   remove KEY      remove them all (outside)
import ctypes, errno, os, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
rt = ctypes.CDLL("librt.so.1", use_errno=True)
IPC_CREAT, IPC_RMID = 0o1000, 0
how, key = sys.argv[1], int(sys.argv[2])
mq_name = f"/cordon-escape-{key}".encode()

def check(r):
    if r == -1 or r is None or r == ctypes.c_void_p(-1).value:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    return r

def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))

def receive(mq):
    # Peek and put back: the queue keeps its message for the next reader.
    buf = ctypes.create_string_buffer(8192)
    n = check(rt.mq_receive(mq, buf, 8192, None))
    rt.mq_send(mq, buf.raw[:n], n, 0)
    return buf.raw[:n].decode()

if how == "create":
    shm = check(libc.shmget(key, 4096, IPC_CREAT | 0o666))
    addr = check(libc.shmat(shm, None, 0))
    ctypes.memmove(addr, b"outside-secret\0", 15)
    check(libc.msgget(key, IPC_CREAT | 0o666))
    check(libc.semget(key, 1, IPC_CREAT | 0o666))
    old = os.umask(0)
    mq = check(rt.mq_open(mq_name, os.O_CREAT | os.O_RDWR, 0o666, None))
    os.umask(old)
    check(rt.mq_send(mq, b"outside-secret", 14, 0))
    print("OK")
elif how == "read":
    for label, fn in [
        ("shm", lambda: ctypes.string_at(check(libc.shmat(check(libc.shmget(key, 0, 0)), None, 0))).decode()),
        ("msg", lambda: check(libc.msgget(key, 0)) and "OK"),
        ("sem", lambda: check(libc.semget(key, 0, 0)) and "OK"),
        ("mq", lambda: receive(check(rt.mq_open(mq_name, os.O_RDWR | os.O_NONBLOCK)))),
    ]:
        try:
            print(label, fn() or "OK")
        except OSError as e:
            print(label, name(e))
elif how == "remove":
    for ident in [libc.shmget(key, 0, 0)]:
        if ident >= 0: libc.shmctl(ident, IPC_RMID, None)
    for ident in [libc.msgget(key, 0)]:
        if ident >= 0: libc.msgctl(ident, IPC_RMID, None)
    for ident in [libc.semget(key, 0, 0)]:
        if ident >= 0: libc.semctl(ident, 0, IPC_RMID)
    rt.mq_unlink(mq_name)
    print("OK")
