package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.ObjectHead;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * rename(2): a file not yet in the bucket just changes its name (its upload goes to the new key;
 * nothing is sent for the old one); a file whose object is current is copied server-side; a
 * directory is copied object by object. Callers hold the namespace lock, so the swap is atomic
 * as seen through the mount.
 */
final class Renamer {

  private final Namespace names;
  private final CachedBucket bucket;
  private final FileData data;

  Renamer(Namespace names, FileData data) {
    this.names = names;
    this.bucket = names.bucket;
    this.data = data;
  }

  void rename(String from, String to) throws FsException, IOException {
    if (from.isEmpty() || to.isEmpty()) {
      throw new FsException(Errno.EBUSY, "cannot rename the mount point");
    }
    Resolved source = names.resolveExisting(from);
    if (from.equals(to)) {
      return;
    }
    names.requireDirectory(KeyPaths.parent(to));
    Resolved target = names.resolve(to);
    if (source instanceof Resolved.RemoteDirectory) {
      renameDirectory(from, to, target);
      return;
    }
    if (target instanceof Resolved.RemoteDirectory) {
      throw new FsException(Errno.EISDIR, "/" + to + ": is a directory");
    }
    boolean objectAtTarget = target instanceof Resolved.RemoteFile || names.reviveTombstone(to);
    if (target instanceof Resolved.Local replaced) {
      objectAtTarget = replaced.node().remoteExists;
      if (replaced.node() instanceof FileNode f) {
        data.keepForOpenHandles(f); // its object is about to be overwritten
      }
      names.detach(replaced.node());
    }
    if (source instanceof Resolved.Local local) {
      moveNode(local.node(), to, objectAtTarget);
    } else {
      bucket.copy(from, to, null);
      names.plusAliases.written(to);
      names.bury(from);
    }
  }

  private void moveNode(Node node, String to, boolean objectAtTarget) throws IOException {
    String from = node.path;
    boolean pending = names.isPending(node);
    if (pending) {
      if (node.remoteExists) {
        names.bury(from); // an older version under the old name
      }
      node.remoteExists = objectAtTarget;
    } else {
      bucket.copy(from, to, null);
      names.plusAliases.written(to);
      names.bury(from);
      node.remoteExists = true;
    }
    names.move(node, to);
    if (node.journalSequence >= 0) {
      names.journal(node);
    }
    if (node instanceof FileNode f && f.contentFile == null && !pending) {
      f.etag = bucket.head(to).map(ObjectHead::etag).orElse(f.etag);
    }
  }

  private void renameDirectory(String from, String to, Resolved target) throws FsException, IOException {
    if (KeyPaths.isWithin(to, from)) {
      throw new FsException(Errno.EINVAL, "cannot move a directory into itself");
    }
    if (target != null) {
      if (!(target instanceof Resolved.RemoteDirectory)) {
        throw new FsException(Errno.ENOTDIR, "/" + to + ": not a directory");
      }
      names.requireEmptyDirectory(to);
      if (bucket.head(KeyPaths.dirKey(to)).isPresent()) {
        bucket.delete(KeyPaths.dirKey(to));
      }
    }
    String fromDir = KeyPaths.dirKey(from);
    String toDir = KeyPaths.dirKey(to);
    List<Node> moved = new ArrayList<>();
    Set<String> buried = new HashSet<>();
    Set<String> pendingKeys = new HashSet<>();
    for (Node n : names.nodesWithin(from)) {
      if (n instanceof Tombstone t) {
        buried.add(t.path);
        names.detach(t); // deleted below, with the rest of the old tree
      } else {
        moved.add(n);
        if (names.isPending(n)) {
          pendingKeys.add(n.path);
        }
      }
    }
    for (ListedObject o : bucket.listRecursive(fromDir)) {
      if (!pendingKeys.contains(o.key()) && !buried.contains(o.key())) {
        bucket.copy(o.key(), toDir + o.key().substring(fromDir.length()), null);
      }
      bucket.delete(o.key());
    }
    for (Node n : moved) {
      String oldPath = n.path;
      names.remove(n);
      n.path = to + oldPath.substring(from.length());
      // Current objects were copied; pending ones were not (their old versions are deleted).
      n.remoteExists = !pendingKeys.contains(oldPath);
    }
    for (Node n : moved) {
      names.add(n);
      if (n.journalSequence >= 0) {
        names.journal(n);
      }
    }
    bucket.forgetTree(fromDir);
    bucket.forgetTree(toDir);
    bucket.forgetDirectory(fromDir);
    bucket.rememberDirectory(toDir);
  }
}
