/**
 * {@code s3repofs sync}: the whole "mount the bucket, build, add to the database, publish,
 * unmount" recipe (s3fs + aursync) as one operation. {@link io.s3repofs.sync.Sync} runs it over
 * a {@link io.s3repofs.sync.InProcessMount}; the small classes around it each do one step:
 * {@link io.s3repofs.sync.Targets} (what to build), {@link io.s3repofs.sync.Makepkg} (build as an
 * unprivileged user), {@link io.s3repofs.sync.Publisher} (native add, repo-add or repose),
 * {@link io.s3repofs.sync.Aurutils} (AUR names), {@link io.s3repofs.sync.PublicUrl} (what pacman
 * is pointed at).
 */
package io.s3repofs.sync;
