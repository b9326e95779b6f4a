#!/usr/bin/python3
"""One system call, for the conformance suite (ConformanceTest).

    syscall.py OP ARG...

Performs exactly one call with Python's os module and prints one line: "OK" (plus, for stat and
lstat, the stat fields as name=value) or "ERR <ERRNO NAME>". Run it as another user with
setpriv(1): setpriv --reuid=U --regid=G --clear-groups syscall.py ...

OPs: stat P | lstat P | mkdir P MODE | rmdir P | unlink P | rename A B | symlink TARGET P |
link A B | mknod P MODE MAJOR MINOR | mkfifo P MODE | bind P (a unix socket) |
open P FLAGS [MODE] (FLAGS: O_CREAT|O_EXCL|...) | write P TEXT (opens O_WRONLY|O_APPEND) |
chmod P MODE | chown P UID GID | lchown P UID GID | truncate P SIZE |
utimens P ATIME MTIME (each: now, omit or nanoseconds) | touch P (utime(P, None))
MODEs are octal (the umask is 0). In paths, {X*N} stands for N times X, where X is one character or U+HEX
(so that long and non-ASCII names pass through any locale).
"""
import errno
import os
import re
import socket
import stat
import sys

TYPES = {stat.S_IFREG: "reg", stat.S_IFDIR: "dir", stat.S_IFLNK: "lnk", stat.S_IFIFO: "fifo",
         stat.S_IFCHR: "chr", stat.S_IFBLK: "blk", stat.S_IFSOCK: "sock"}


def fields(st):
    return ("type=%s perm=%04o ino=%d nlink=%d uid=%d gid=%d size=%d rdev=%d:%d atime=%d mtime=%d ctime=%d"
            % (TYPES.get(stat.S_IFMT(st.st_mode), "?"), stat.S_IMODE(st.st_mode), st.st_ino, st.st_nlink,
               st.st_uid, st.st_gid, st.st_size, os.major(st.st_rdev), os.minor(st.st_rdev),
               st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns))


def flags(text):
    value = 0
    for name in text.split("|"):
        value |= getattr(os, name)
    return value


def time_arg(text):
    return {"now": "now", "omit": "omit"}.get(text) or int(text)


def utimens(path, atime, mtime):
    # os.utime cannot pass UTIME_NOW/UTIME_OMIT separately: call utimensat through ctypes
    import ctypes
    UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    def ts(v):
        if v == "now":
            return Timespec(0, UTIME_NOW)
        if v == "omit":
            return Timespec(0, UTIME_OMIT)
        return Timespec(v // 1_000_000_000, v % 1_000_000_000)

    libc = ctypes.CDLL(None, use_errno=True)
    times = (Timespec * 2)(ts(atime), ts(mtime))
    AT_FDCWD = -100
    if libc.utimensat(AT_FDCWD, os.fsencode(path), times, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def run(op, a):
    if op == "stat":
        return fields(os.stat(a[0]))
    if op == "lstat":
        return fields(os.lstat(a[0]))
    if op == "mkdir":
        os.mkdir(a[0], int(a[1], 8))
    elif op == "rmdir":
        os.rmdir(a[0])
    elif op == "unlink":
        os.unlink(a[0])
    elif op == "rename":
        os.rename(a[0], a[1])
    elif op == "symlink":
        os.symlink(a[0], a[1])
    elif op == "link":
        os.link(a[0], a[1])
    elif op == "mknod":
        os.mknod(a[0], int(a[1], 8), os.makedev(int(a[2]), int(a[3])))
    elif op == "mkfifo":
        os.mkfifo(a[0], int(a[1], 8))
    elif op == "bind":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(a[0])
        finally:
            s.close()
    elif op == "open":
        fd = os.open(a[0], flags(a[1]), int(a[2], 8) if len(a) > 2 else 0o644)
        os.close(fd)
    elif op == "write":
        fd = os.open(a[0], os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, a[1].encode())
        finally:
            os.close(fd)
    elif op == "chmod":
        os.chmod(a[0], int(a[1], 8))
    elif op == "chown":
        os.chown(a[0], int(a[1]), int(a[2]))
    elif op == "lchown":
        os.lchown(a[0], int(a[1]), int(a[2]))
    elif op == "truncate":
        os.truncate(a[0], int(a[1]))
    elif op == "utimens":
        utimens(a[0], time_arg(a[1]), time_arg(a[2]))
    elif op == "touch":
        os.utime(a[0], None)
    else:
        print("usage: unknown op " + op, file=sys.stderr)
        sys.exit(2)
    return None


def expand(arg):
    def rep(m):
        ch = chr(int(m.group(1)[2:], 16)) if m.group(1).startswith("U+") else m.group(1)
        return ch * int(m.group(2))
    return re.sub(r"\{(U\+[0-9A-Fa-f]+|.)\*(\d+)\}", rep, arg)


def main():
    os.umask(0)
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        out = run(sys.argv[1], [expand(x) for x in sys.argv[2:]])
    except OSError as e:
        print("ERR " + errno.errorcode.get(e.errno, str(e.errno)))
        return
    print("OK" + (" " + out if out else ""))


main()
