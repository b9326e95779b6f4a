/**
 * The pacman repository model: packages, versions and repository databases, compatible with
 * Debian's pacman 6.0.2 tools (makepkg, repo-add, vercmp, pacman).
 *
 * <ul>
 *   <li>{@link io.s3repofs.pacman.Vercmp} — pacman's version order (alpm_pkg_vercmp).</li>
 *   <li>{@link io.s3repofs.pacman.PackageReader} reads a package file into a
 *       {@link io.s3repofs.pacman.PackageFile} ({@link io.s3repofs.pacman.PackageInfo} from
 *       {@code .PKGINFO}, file list, size, MD5, SHA-256) in one streaming pass.</li>
 *   <li>{@link io.s3repofs.pacman.RepoEntry} and {@link io.s3repofs.pacman.RepoDatabase} model
 *       a database; {@link io.s3repofs.pacman.DatabaseReader} and
 *       {@link io.s3repofs.pacman.DatabaseWriter} read and write {@code NAME.db.tar.*} and
 *       {@code NAME.files.tar.*} exactly as repo-add does.</li>
 *   <li>{@link io.s3repofs.pacman.RepoLocation} derives every file name from the database path;
 *       {@link io.s3repofs.pacman.RepoLock} is repo-add's {@code .lck} lock.</li>
 *   <li>{@link io.s3repofs.pacman.LocalRepository} implements add, remove, read and verify on a
 *       directory (local or mounted); its javadoc lists where it deliberately differs from
 *       repo-add.</li>
 * </ul>
 *
 * <p>Errors the user can act on are {@link io.s3repofs.pacman.RepoException}s with one-line
 * messages naming the file ({@link io.s3repofs.pacman.PackageException} for packages,
 * {@link io.s3repofs.pacman.DatabaseException} for databases).
 *
 * <p>Known limits: a GNU long-name tar entry with an absolute name is made relative by Commons
 * Compress before this code sees it (ustar and pax absolute names are rejected); nothing is ever
 * extracted, so this only affects the file list. File names are listed as UTF-8, where
 * {@code bsdtar -t} in a non-UTF-8 locale would escape non-ASCII bytes.
 */
package io.s3repofs.pacman;
