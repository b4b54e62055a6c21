# Sends one UDP datagram to 127.0.0.1:PORT and prints OK or the errno name.
import errno
import socket
import sys

try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"python-udp", ("127.0.0.1", int(sys.argv[1])))
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
