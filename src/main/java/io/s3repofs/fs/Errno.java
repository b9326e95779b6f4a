package io.s3repofs.fs;

/** The POSIX error numbers the filesystem core reports (Linux values). */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  EIO(5),
  EBADF(9),
  EACCES(13),
  EBUSY(16),
  EEXIST(17),
  EXDEV(18),
  ENOTDIR(20),
  EISDIR(21),
  EINVAL(22),
  EFBIG(27),
  ENOSPC(28),
  EROFS(30),
  ENAMETOOLONG(36),
  ENOTEMPTY(39),
  ELOOP(40);

  private final int value;

  Errno(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }
}
