package io.s3repofs.fs;

/**
 * What {@code stat} shows of a file, directory or symlink.
 *
 * @param mode st_mode with the file-type bits
 * @param size bytes (a symlink's size is its target's length)
 * @param rdev device number of a device node, else 0
 */
public record FileAttributes(
    int mode, int uid, int gid, long size, long atimeNanos, long mtimeNanos, long ctimeNanos, int links, long rdev) {

  public FileAttributes(int mode, int uid, int gid, long size, long atimeNanos, long mtimeNanos, long ctimeNanos,
      int links) {
    this(mode, uid, gid, size, atimeNanos, mtimeNanos, ctimeNanos, links, 0);
  }
}
