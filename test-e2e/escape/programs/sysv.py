# SysV IPC across the sandbox boundary. Prints OK or the errno name (or the data read).
#   create KEY      make a 0666 shared memory segment holding "outside-secret", a queue and a semaphore set (outside)
#   read KEY        find the segment by key, attach it and print what it holds; then msgget and semget
#   remove KEY      remove all three (outside)
import ctypes, errno, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_CREAT, IPC_RMID = 0o1000, 0
how, key = sys.argv[1], int(sys.argv[2])

def check(r):
    if r == -1 or r is None or r == ctypes.c_void_p(-1).value:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    return r

def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))

if how == "create":
    shm = check(libc.shmget(key, 4096, IPC_CREAT | 0o666))
    addr = check(libc.shmat(shm, None, 0))
    ctypes.memmove(addr, b"outside-secret\0", 15)
    check(libc.msgget(key, IPC_CREAT | 0o666))
    check(libc.semget(key, 1, IPC_CREAT | 0o666))
    print("OK")
elif how == "read":
    for label, fn in [
        ("shm", lambda: ctypes.string_at(check(libc.shmat(check(libc.shmget(key, 0, 0)), None, 0))).decode()),
        ("msg", lambda: check(libc.msgget(key, 0)) and "OK"),
        ("sem", lambda: check(libc.semget(key, 0, 0)) and "OK"),
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
    print("OK")
