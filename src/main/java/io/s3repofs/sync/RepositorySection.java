package io.s3repofs.sync;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.StoreSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code s3repofs pacman-conf}: the {@code [NAME]} section pacman needs to read a repository in
 * a bucket. {@code SigLevel} follows the bucket: {@code Required} when {@code NAME.db.sig} is
 * there (the database is signed), {@code Optional TrustAll} otherwise.
 */
public final class RepositorySection {

  private RepositorySection() {}

  /** The section's text. Looks for the signature with the keys, else anonymously over HTTP. */
  public static String of(StoreSettings store, String repo, String root) {
    Sync.checkName(repo);
    String dir = root.replaceAll("^/+", "").replaceAll("/+$", "");
    String url = PublicUrl.directory(store, dir);
    String sigKey = (dir.isEmpty() ? "" : dir + "/") + repo + ".db.sig";
    boolean signed;
    try (ObjectStore s3 = new ObjectStore(store)) {
      signed = s3.head(sigKey).isPresent();
    } catch (StoreException e) {
      signed = anonymousExists(url + "/" + repo + ".db.sig", e);
    }
    return PublicUrl.pacmanSection(repo, url, signed);
  }

  private static boolean anonymousExists(String url, StoreException why) {
    try {
      HttpResponse<Void> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
          .send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 200) {
        return true;
      }
      if (r.statusCode() == 404 || r.statusCode() == 403) {
        return false;
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new SyncException("cannot tell whether the database is signed: " + why.getMessage());
  }
}
