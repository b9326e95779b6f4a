package io.s3repofs.store;

/**
 * The POSIX attributes of one object, as s3fs records them in user metadata.
 *
 * @param mode full st_mode (file-type bits and permission bits)
 * @param uid owner
 * @param gid group
 * @param mtimeNanos modification time, nanoseconds since the epoch
 * @param ctimeNanos status-change time, nanoseconds since the epoch
 * @param atimeNanos access time, nanoseconds since the epoch
 * @param rdev device number of a character or block device node (s3fs's {@code x-amz-meta-rdev}),
 *     else 0
 */
public record PosixAttributes(int mode, int uid, int gid, long mtimeNanos, long ctimeNanos, long atimeNanos,
    long rdev) {

  /** Attributes of anything but a device node. */
  public PosixAttributes(int mode, int uid, int gid, long mtimeNanos, long ctimeNanos, long atimeNanos) {
    this(mode, uid, gid, mtimeNanos, ctimeNanos, atimeNanos, 0);
  }

  public static final int S_IFMT = 0170000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFIFO = 0010000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFSOCK = 0140000;

  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isSymlink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public int permissions() {
    return mode & 07777;
  }

  public PosixAttributes withMode(int newMode) {
    return new PosixAttributes(newMode, uid, gid, mtimeNanos, ctimeNanos, atimeNanos, rdev);
  }

  public PosixAttributes withOwner(int newUid, int newGid) {
    return new PosixAttributes(mode, newUid, newGid, mtimeNanos, ctimeNanos, atimeNanos, rdev);
  }

  public PosixAttributes withTimes(long newAtime, long newMtime, long newCtime) {
    return new PosixAttributes(mode, uid, gid, newMtime, newCtime, newAtime, rdev);
  }
}
