#!/usr/bin/env python3
"""A writer for the kill -9 campaign: rewrites files in a mount, by open(O_TRUNC) or by a
temporary file renamed into place, and appends "NAME VERSION" to a record file (outside the
mount, flushed) only after close() or rename() returned. Runs until killed or its count is done.

usage: writer.py MOUNT_DIR RECORD_FILE SEED COUNT
"""
import os
import random
import sys

mount, record, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
names = ["f%02d" % i for i in range(12)]
versions = {n: 0 for n in names}
os.makedirs(mount, exist_ok=True)
with open(record, "a", buffering=1) as log:
    for _ in range(count):
        name = rng.choice(names)
        version = versions[name] + 1
        body = ("%s v%d " % (name, version)).encode() * rng.randint(1, 4000)
        path = os.path.join(mount, name)
        if rng.random() < 0.5:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, body)
            os.close(fd)
        else:
            tmp = os.path.join(mount, ".%s.tmp%d" % (name, version))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, body)
            os.close(fd)
            os.rename(tmp, path)
        versions[name] = version
        log.write("%s %d %d\n" % (name, version, len(body)))
        log.flush()
        os.fsync(log.fileno())
