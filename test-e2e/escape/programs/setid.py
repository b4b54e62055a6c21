# Tries to leave a set-user-ID or set-group-ID file in DIR, through every call that sets a mode.
# Prints "<attempt> OK|<errno>" per line; "plain" attempts (no set-id bit) are the control.
import ctypes, errno, os, platform, stat, sys

d = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
O_TMPFILE = 0o20200000
X64 = platform.machine() == "x86_64"

def syscall(nr, *args):
    if libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args]) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

def attempt(name, fn):
    try:
        fn()
        print(name, "OK")
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, str(e.errno)))

def p(n):
    return os.path.join(d, n)

def fresh(n):
    open(p(n), "w").close()
    return p(n)

attempt("plain-chmod", lambda: os.chmod(fresh("plain"), 0o755))
attempt("chmod-suid", lambda: os.chmod(fresh("a"), 0o4755))
attempt("chmod-sgid", lambda: os.chmod(fresh("b"), 0o2755))
def fchmod():
    fd = os.open(fresh("c"), os.O_RDONLY)
    try:
        os.fchmod(fd, 0o4755)
    finally:
        os.close(fd)
attempt("fchmod-suid", fchmod)
attempt("fchmodat2-suid", lambda: syscall(452, AT_FDCWD, fresh("d").encode(), 0o4755, 0))
if X64:
    attempt("chmod-syscall-suid", lambda: syscall(90, fresh("e").encode(), 0o4755))
    attempt("creat-suid", lambda: syscall(85, p("f").encode(), 0o4755))
attempt("open-creat-suid", lambda: os.close(os.open(p("g"), os.O_CREAT | os.O_WRONLY, 0o4755)))
attempt("open-tmpfile-suid", lambda: os.close(os.open(d, O_TMPFILE | os.O_WRONLY, 0o4755)))
attempt("mkdir-sgid", lambda: os.mkdir(p("h"), 0o2755))
attempt("mknod-suid", lambda: os.mknod(p("i"), stat.S_IFREG | 0o4755))
# openat2(AT_FDCWD, path, {flags: O_CREAT|O_WRONLY, mode: 04755, resolve: 0}, 24)
how = (ctypes.c_uint64 * 3)(os.O_CREAT | os.O_WRONLY, 0o4755, 0)
attempt("openat2-suid", lambda: syscall(437, AT_FDCWD, p("j").encode(), ctypes.byref(how), 24))
setid = [n for n in sorted(os.listdir(d)) if os.lstat(p(n)).st_mode & (stat.S_ISUID | stat.S_ISGID)]
print("setid-files", ",".join(setid) or "none")
