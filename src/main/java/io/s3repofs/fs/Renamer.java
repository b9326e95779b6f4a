package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import java.util.Map;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * rename(2): a file not yet in the bucket just changes its name (its upload goes to the new key;
 * nothing is sent for the old one); a file whose object is current is copied server-side; a
 * directory is copied object by object. The caller holds the path locks of both names, so no
 * other change of them (and no upload below a renamed directory) runs meanwhile; requests are
 * made without the state lock, which is taken to plan and again to commit.
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

  /**
   * What a file rename needs, looked up under the state lock.
   *
   * @param copy a server-side COPY is needed (the source's object is current)
   * @param cachedEtag instead of a COPY, the mount's clean copy of the source's object (this
   *     ETag) becomes a pending file under the new name: a small file renamed again soon (repo-add's
   *     {@code .old} backups) then costs one PUT in the end, or none
   * @param copyMetadata the metadata the COPY writes (null: the source's), with ctime now
   */
  private record Plan(Node source, boolean copy, FileNode openTarget, boolean directory, String cachedEtag,
      Map<String, String> copyMetadata) {}

  /** Renames; returns the node that now has the new name, if the mount holds one. */
  Node rename(String from, String to) throws FsException, IOException {
    if (from.isEmpty() || to.isEmpty()) {
      throw new FsException(Errno.EBUSY, "cannot rename the mount point");
    }
    while (true) {
      Plan plan = names.underLock(() -> plan(from, to));
      if (plan == null) {
        return null;
      }
      if (plan.directory()) {
        renameDirectory(from, to);
        return null;
      }
      if (plan.openTarget() != null) {
        data.keepForOpenHandles(plan.openTarget()); // its object is about to be overwritten
      }
      String etag = null;
      if (plan.copy()) {
        etag = bucket.copy(from, to, plan.copyMetadata());
        names.plusAliases.written(to);
      }
      String copiedEtag = etag;
      Node[] moved = new Node[1];
      boolean done = names.underLock(() -> commit(from, to, plan, copiedEtag, moved));
      if (done) {
        return moved[0];
      }
      // A pending file was uploaded meanwhile: plan again (now it is copied).
    }
  }

  private Plan plan(String from, String to) throws FsException {
    Resolved source = names.resolveExisting(from);
    if (from.equals(to)) {
      return null;
    }
    names.requireDirectory(KeyPaths.parent(to));
    Resolved target = names.resolve(to);
    if (source instanceof Resolved.RemoteDirectory) {
      if (KeyPaths.isWithin(to, from)) {
        throw new FsException(Errno.EINVAL, "cannot move a directory into itself");
      }
      if (target != null) {
        if (!(target instanceof Resolved.RemoteDirectory)) {
          throw new FsException(Errno.ENOTDIR, "/" + to + ": not a directory");
        }
        names.requireEmptyDirectory(to);
      }
      names.head(KeyPaths.dirKey(to)); // looked up now, so the rename needs no HEAD under the lock
      return new Plan(null, false, null, true, null, null);
    }
    if (target instanceof Resolved.RemoteDirectory) {
      throw new FsException(Errno.EISDIR, "/" + to + ": is a directory");
    }
    FileNode openTarget = target instanceof Resolved.Local t && t.node() instanceof FileNode f
        && f.openCount > 0 && f.contentFile == null ? f : null;
    Node node = source instanceof Resolved.Local local ? local.node() : null;
    if (source instanceof Resolved.RemoteFile remote && remote.entry().size() < bucket.storeSettings().multipartSize()
        && names.content.hasClean(from, remote.entry().etag())) {
      names.head(from); // its attributes, looked up now
      return new Plan(null, false, openTarget, false, remote.entry().etag(), null);
    }
    boolean copy = node == null || !names.isPending(node);
    return new Plan(node, copy, openTarget, false, null, copy ? renamedMetadata(from, node) : null);
  }

  /**
   * The metadata of a file object renamed on the server: its own, with ctime now, as rename(2)
   * changes it; null (keep it as is) for a symlink or a link stored as a copy of its target.
   */
  private Map<String, String> renamedMetadata(String from, Node node) {
    if (node instanceof FileNode f) {
      PosixAttributes a = f.attributes;
      return MetadataCodec.encode(a.withTimes(a.atimeNanos(), a.mtimeNanos(), FileSystemCore.now()));
    }
    if (node != null) {
      return null;
    }
    ObjectHead head = names.head(from).orElse(null);
    if (head == null || head.metadata().containsKey(MetadataCodec.SYMLINK_KEY)) {
      return null;
    }
    PosixAttributes a = names.decode(head, false);
    return MetadataCodec.encode(a.withTimes(a.atimeNanos(), a.mtimeNanos(), FileSystemCore.now()));
  }

  private boolean commit(String from, String to, Plan plan, String etag, Node[] moved) throws FsException, IOException {
    Resolved source = names.resolveExisting(from);
    Node node = source instanceof Resolved.Local local ? local.node() : null;
    if (node != plan.source() || node != null && !plan.copy() && !names.isPending(node)) {
      return false;
    }
    Resolved target = names.resolve(to);
    // Every lookup happens before the first change: a cache miss runs this again from the start.
    io.s3repofs.store.PosixAttributes cachedAttributes = plan.cachedEtag() == null ? null
        : names.decode(names.head(from).orElseThrow(() -> Namespace.notFound(from)), false);
    java.nio.file.Path cachedFile = plan.cachedEtag() == null ? null : names.content.takeClean(from, plan.cachedEtag());
    if (plan.cachedEtag() != null && cachedFile == null) {
      return false; // evicted meanwhile: plan again (a COPY then)
    }
    boolean revived = names.reviveTombstone(to); // the new object takes the name: no DELETE there
    boolean objectAtTarget = plan.copy() || target instanceof Resolved.RemoteFile || revived;
    // The node replaced at the target is detached only once the moved file's journal record
    // under the new name is written: a kill -9 in between must leave one of the two recorded.
    Node replaced = target instanceof Resolved.Local r ? r.node() : null;
    if (replaced != null) {
      objectAtTarget |= replaced.remoteExists;
    }
    if (node == null && plan.cachedEtag() != null) {
      java.nio.file.Path file = cachedFile;
      FileNode f = new FileNode(to, cachedAttributes, names);
      f.contentFile = file;
      f.size = java.nio.file.Files.size(file);
      f.version = 1;
      f.remoteExists = objectAtTarget;
      f.ordered = true; // it replaces a file by rename: after what was closed before it
      f.closeState();
      names.journal(f);
      names.add(f); // detaches the replaced node
      names.queue.enqueue(f.upload);
      names.bury(from);
      moved[0] = f;
      return true;
    }
    if (node == null) {
      if (replaced != null) {
        names.detach(replaced); // the COPY has put the new object there already
      }
      names.bury(from);
      return true;
    }
    // Order for a crash: the node's record under the new name first, then the delete of the old
    // name and the detach of the replaced node (each record write is atomic; their order is ours).
    boolean buryFrom = plan.copy() || node.remoteExists; // else nothing is there under the old name
    if (plan.copy()) {
      node.remoteExists = true;
      if (node instanceof FileNode f && etag != null) {
        f.etag = etag;
      }
    } else {
      node.remoteExists = objectAtTarget;
    }
    if (node instanceof FileNode) { // rename(2) changes the file's ctime
      node.attributes = node.attributes.withTimes(node.attributes.atimeNanos(), node.attributes.mtimeNanos(),
          FileSystemCore.now());
    }
    if (node instanceof FileNode f && !plan.copy()) {
      f.ordered = true; // its upload replaces a file by rename: after what was closed before it
    }
    names.move(node, to);
    if (node.journalSequence >= 0) {
      names.journal(node);
    }
    if (buryFrom) {
      names.bury(from); // the copy, or an older version, under the old name
    }
    if (replaced != null) {
      names.detach(replaced);
    }
    moved[0] = node;
    return true;
  }

  private void renameDirectory(String from, String to) throws FsException, IOException {
    String fromDir = KeyPaths.dirKey(from);
    String toDir = KeyPaths.dirKey(to);
    Set<String> skip = new HashSet<>();
    names.underLock(() -> {
      skip.clear();
      for (Node n : names.nodesWithin(from)) {
        if (n instanceof Tombstone || names.isPending(n)) {
          skip.add(n.path); // deleted, or uploaded to its new name later
          skip.add(PlusAliases.aliasOf(n.path)); // and so is its '+' alias
        }
      }
      return null;
    });
    if (bucket.head(toDir).isPresent()) {
      bucket.delete(toDir);
    }
    List<ListedObject> objects = bucket.listRecursive(fromDir);
    for (ListedObject o : objects) {
      if (!skip.contains(o.key())) {
        bucket.copy(o.key(), toDir + o.key().substring(fromDir.length()), null);
      }
    }
    for (ListedObject o : objects) {
      bucket.delete(o.key());
    }
    names.underLock(() -> {
      List<Node> within = names.nodesWithin(from);
      for (Node n : within) {
        if (n instanceof Tombstone t) {
          names.detach(t); // its object was deleted with the old tree
          continue;
        }
        String oldPath = n.path;
        names.remove(n);
        n.path = to + oldPath.substring(from.length());
        // Current objects were copied; pending ones were not (their old versions are deleted).
        n.remoteExists = !skip.contains(oldPath);
      }
      for (Node n : within) {
        if (!(n instanceof Tombstone)) {
          names.add(n);
          if (n.journalSequence >= 0) {
            names.journal(n);
          }
        }
      }
      bucket.forgetTree(fromDir);
      bucket.forgetTree(toDir);
      bucket.forgetDirectory(fromDir);
      bucket.rememberDirectory(toDir);
      return null;
    });
  }
}
