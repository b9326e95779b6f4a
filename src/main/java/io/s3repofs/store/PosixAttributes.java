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
 */
public record PosixAttributes(int mode, int uid, int gid, long mtimeNanos, long ctimeNanos, long atimeNanos) {

  public static final int S_IFMT = 0170000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFLNK = 0120000;

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
    return new PosixAttributes(newMode, uid, gid, mtimeNanos, ctimeNanos, atimeNanos);
  }

  public PosixAttributes withOwner(int newUid, int newGid) {
    return new PosixAttributes(mode, newUid, newGid, mtimeNanos, ctimeNanos, atimeNanos);
  }

  public PosixAttributes withTimes(long newAtime, long newMtime, long newCtime) {
    return new PosixAttributes(mode, uid, gid, newMtime, newCtime, newAtime);
  }
}
