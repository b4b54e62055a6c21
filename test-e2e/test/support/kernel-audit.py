# Reads or sets the kernel's audit switch (AUDIT_GET / AUDIT_SET over NETLINK_AUDIT), as
# 'auditctl -e' does, without installing auditd. Root only. Usage: kernel-audit.py get | set 0|1
import socket, struct, sys

NETLINK_AUDIT, AUDIT_GET, AUDIT_SET, NLMSG_ERROR = 9, 1000, 1001, 2

def request(msgtype, payload=b""):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    try:
        s.bind((0, 0))
        s.send(struct.pack("=IHHII", 16 + len(payload), msgtype, 0x1 | 0x4, 1, 0) + payload)
        while True:
            data = s.recv(65536)
            length, kind = struct.unpack("=IH", data[:6])
            body = data[16:length]
            if kind == NLMSG_ERROR:
                err = struct.unpack("=i", body[:4])[0]
                if err != 0: raise OSError(-err, "audit netlink request failed")
                if msgtype != AUDIT_GET: return None
            elif kind == AUDIT_GET:
                return struct.unpack("=8I", body[:32])[1]
    finally:
        s.close()

if sys.argv[1] == "get":
    print(request(AUDIT_GET))
else:
    # struct audit_status: mask (AUDIT_STATUS_ENABLED = 1), enabled, then fields left 0.
    request(AUDIT_SET, struct.pack("=8I", 1, int(sys.argv[2]), 0, 0, 0, 0, 0, 0) + b"\0" * 8)
    print(request(AUDIT_GET))
