package io.s3repofs.daemon;

import io.s3repofs.cache.CacheSettings;
import io.s3repofs.fs.FsSettings;
import io.s3repofs.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a mount needs, resolved from the command line.
 *
 * @param fuseOptions options passed to libfuse ({@code -o allow_other}, ...)
 * @param drainTimeout how long unmount waits for uploads before giving up (they stay journaled)
 */
public record MountConfig(
    Path mountPoint, StoreSettings store, CacheSettings cache, FsSettings fs,
    List<String> fuseOptions, Duration drainTimeout) {}
