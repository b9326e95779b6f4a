package io.s3repofs.fs;

/**
 * How the mount presents and writes objects.
 *
 * @param ownerUid owner of objects without a {@code uid} header (the mounting user)
 * @param ownerGid group of objects without a {@code gid} header
 * @param forcedUid when not negative, every file shows this owner (s3fs {@code uid=})
 * @param forcedGid when not negative, every file shows this group (s3fs {@code gid=})
 * @param umask permission bits masked off every file and directory (s3fs {@code umask=}), or -1
 * @param mountPointUmask permission bits masked off the mount point (s3fs {@code mp_umask=})
 * @param readOnly refuse every change with EROFS (s3fs {@code ro})
 * @param symlinks how symlinks are stored
 * @param plusAliases keep a copy of each file whose name holds '+' under the name with spaces,
 *     for AWS S3's reading of '+' in URLs (see {@link PlusAliases})
 * @param uploadOnClose every close(2) of a written file returns once it is in the bucket (s3fs's
 *     behaviour); otherwise only the commit points of {@link CommitPoints} wait
 * @param statFromList stat shows what the LIST pages say (size, Last-Modified as the times) with
 *     the default mode and owner, and sends no HEAD; stored attributes and symlinks are not seen
 *     until a file is opened ({@code stat_from_list})
 * @param streamUploads a large file's parts go to the bucket while it is written, not all after
 *     its close (see {@link PartStream}; off with {@code nostreamupload})
 */
public record FsSettings(
    int ownerUid, int ownerGid, int forcedUid, int forcedGid, int umask, int mountPointUmask,
    boolean readOnly, SymlinkMode symlinks, boolean plusAliases, boolean uploadOnClose,
    boolean statFromList, boolean streamUploads) {

  public FsSettings(int ownerUid, int ownerGid, int forcedUid, int forcedGid, int umask, int mountPointUmask,
      boolean readOnly, SymlinkMode symlinks, boolean plusAliases, boolean uploadOnClose, boolean statFromList) {
    this(ownerUid, ownerGid, forcedUid, forcedGid, umask, mountPointUmask, readOnly, symlinks, plusAliases,
        uploadOnClose, statFromList, true);
  }

  public FsSettings(int ownerUid, int ownerGid, int forcedUid, int forcedGid, int umask,
      int mountPointUmask, boolean readOnly, SymlinkMode symlinks, boolean plusAliases, boolean uploadOnClose) {
    this(ownerUid, ownerGid, forcedUid, forcedGid, umask, mountPointUmask, readOnly, symlinks, plusAliases,
        uploadOnClose, false);
  }

  public FsSettings(int ownerUid, int ownerGid, int forcedUid, int forcedGid, int umask,
      int mountPointUmask, boolean readOnly, SymlinkMode symlinks, boolean plusAliases) {
    this(ownerUid, ownerGid, forcedUid, forcedGid, umask, mountPointUmask, readOnly, symlinks, plusAliases, false,
        false);
  }

  /** The same settings with {@code statFromList} set as given. */
  public FsSettings withStatFromList(boolean on) {
    return new FsSettings(ownerUid, ownerGid, forcedUid, forcedGid, umask, mountPointUmask, readOnly, symlinks,
        plusAliases, uploadOnClose, on, streamUploads);
  }

  /** The same settings with {@code streamUploads} set as given. */
  public FsSettings withStreamUploads(boolean on) {
    return new FsSettings(ownerUid, ownerGid, forcedUid, forcedGid, umask, mountPointUmask, readOnly, symlinks,
        plusAliases, uploadOnClose, statFromList, on);
  }

  /** How a symlink is stored in the bucket. */
  public enum SymlinkMode {
    /**
     * A link to a regular file is an object holding the target's bytes (kept current), marked as
     * a link in its metadata: HTTP clients such as pacman can download it. Other links are stored
     * as s3fs stores them.
     */
    COPY,
    /** As s3fs does: an object whose body is the target path and whose mode says S_IFLNK. */
    S3FS
  }
}
