package io.s3repofs.pacman;

import java.util.List;

/**
 * What {@link Repository#add} did.
 *
 * @param added the entries written into the database
 * @param skipped the package files not added (older duplicates, {@code -n}, {@code -p})
 * @param deleted the package and signature files deleted with {@code -R}, as paths or keys
 * @param written whether the database was (re)written
 */
public record AddResult(List<RepoEntry> added, List<String> skipped, List<String> deleted,
    boolean written) {}
