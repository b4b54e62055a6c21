# TCP Fast Open to HOST PORT: the connect hidden in a send. Prints OK or the errno name.
#   sendto | sendmsg | sendmmsg: an unconnected TCP socket, data sent with MSG_FASTOPEN
#   connect: TCP_FASTOPEN_CONNECT, then connect() and send (the connect hook sees this one)
import ctypes, errno, socket, sys

MSG_FASTOPEN = 0x20000000
TCP_FASTOPEN_CONNECT = 30
how, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
try:
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    if how == "sendto":
        s.sendto(b"marker", MSG_FASTOPEN, (host, port))
    elif how == "sendmsg":
        s.sendmsg([b"marker"], [], MSG_FASTOPEN, (host, port))
    elif how == "sendmmsg":
        # Python has no sendmmsg: one struct mmsghdr through libc.
        libc = ctypes.CDLL(None, use_errno=True)
        addr = bytearray(socket.inet_pton(family, host))
        if family == socket.AF_INET:
            sa = (ctypes.c_ubyte * 16)(*(list(family.to_bytes(2, "little")) + list(port.to_bytes(2, "big")) + list(addr) + [0] * 8))
        else:
            sa = (ctypes.c_ubyte * 28)(*(list(family.to_bytes(2, "little")) + list(port.to_bytes(2, "big")) + [0] * 4 + list(addr) + [0] * 4))
        data = ctypes.create_string_buffer(b"marker", 6)
        class iovec(ctypes.Structure):
            _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
        class msghdr(ctypes.Structure):
            _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint), ("iov", ctypes.c_void_p), ("iovlen", ctypes.c_size_t),
                        ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
        class mmsghdr(ctypes.Structure):
            _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]
        iov = iovec(ctypes.cast(data, ctypes.c_void_p), 6)
        m = mmsghdr(msghdr(ctypes.cast(sa, ctypes.c_void_p), len(sa), ctypes.cast(ctypes.pointer(iov), ctypes.c_void_p), 1, None, 0, 0), 0)
        s.setblocking(True)
        if libc.sendmmsg(s.fileno(), ctypes.byref(m), 1, MSG_FASTOPEN) < 0:
            e = ctypes.get_errno()
            raise OSError(e, errno.errorcode.get(e, str(e)))
    elif how == "connect":
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1)
        s.connect((host, port))
        s.send(b"marker")
    else:
        sys.exit(f"fastopen.py: unknown mode {how}")
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
