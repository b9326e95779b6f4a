package io.s3repofs.store;

import java.util.List;

/**
 * The objects and sub-prefixes directly under one directory prefix (a delimited listing, all
 * pages joined).
 *
 * @param objects objects whose key lies directly under the prefix, the marker object itself
 *     included when present
 * @param subdirectories names (without the trailing slash) of the common prefixes
 */
public record DirectoryPage(List<ListedObject> objects, List<String> subdirectories) {}
