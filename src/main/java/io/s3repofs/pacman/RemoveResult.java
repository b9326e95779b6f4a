package io.s3repofs.pacman;

import java.util.List;

/** What {@link Repository#remove} did: the entries removed. */
public record RemoveResult(List<RepoEntry> removed) {}
