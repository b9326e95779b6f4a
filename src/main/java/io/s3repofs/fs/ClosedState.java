package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;
import java.nio.file.Path;

/**
 * A state of a file that some {@code close()} (or a change made while it was closed) produced and
 * the journal promised to upload. Immutable, and so is its {@link #file}: a later write to the
 * file goes to a copy (copy-on-write), so what recovery or an upload sends is always exactly the
 * bytes and attributes of that close — never a half-written later state.
 *
 * @param file the cache data file holding the bytes; never written again while a state names it
 * @param version the node's version when the state was taken
 */
record ClosedState(Path file, long size, PosixAttributes attributes, long version) {}
