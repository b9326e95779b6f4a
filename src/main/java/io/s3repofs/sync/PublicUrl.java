package io.s3repofs.sync;

import io.s3repofs.store.StoreSettings;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The URL at which anonymous HTTP clients (pacman) read a bucket's keys:
 * <ul>
 *   <li>AWS (no {@code url=}): virtual-host style {@code https://BUCKET.s3.REGION.amazonaws.com}
 *       for DNS-safe names without dots, path style {@code https://s3.REGION.amazonaws.com/BUCKET}
 *       otherwise (a dotted name breaks the TLS wildcard certificate); REGION is
 *       {@code endpoint=} (s3fs's name for the region), {@code s3.amazonaws.com} for us-east-1;</li>
 *   <li>{@code url=} with {@code use_path_request_style} (MinIO, Ceph, S3Proxy): {@code URL/BUCKET};</li>
 *   <li>{@code url=} otherwise (DigitalOcean Spaces, Wasabi, ...): {@code scheme://BUCKET.host}
 *       for DNS-safe names, {@code URL/BUCKET} otherwise.</li>
 * </ul>
 */
public final class PublicUrl {

  private static final Pattern DNS_SAFE = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

  private PublicUrl() {}

  /** The URL of the bucket's root (no trailing slash). */
  public static String bucket(String bucket, URI endpoint, String region, boolean pathStyle) {
    boolean dnsSafe = DNS_SAFE.matcher(bucket).matches() && !bucket.contains("--");
    if (endpoint == null) {
      String host = region == null || region.isEmpty() || region.equals("us-east-1")
          ? "s3.amazonaws.com" : "s3." + region + ".amazonaws.com";
      return dnsSafe && !pathStyle ? "https://" + bucket + "." + host : "https://" + host + "/" + bucket;
    }
    String base = endpoint.toString().replaceAll("/+$", "");
    if (pathStyle || !dnsSafe) {
      return base + "/" + bucket;
    }
    String authority = endpoint.getRawAuthority();
    return endpoint.getScheme() + "://" + bucket + "." + authority
        + (endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", ""));
  }

  /** The URL of a directory ({@code root}, relative to the prefix) in the bucket. */
  public static String directory(StoreSettings s, String root) {
    String path = s.prefix() + root.replaceAll("^/+", "").replaceAll("/+$", "");
    return bucket(s.bucket(), s.endpoint(), s.region(), s.pathStyle())
        + (path.isEmpty() ? "" : "/" + path.replaceAll("/+$", ""));
  }

  /** The {@code [NAME]} section for /etc/pacman.conf. */
  public static String pacmanSection(String name, String serverUrl, boolean signed) {
    return "[" + name + "]\n"
        + "SigLevel = " + (signed ? "Required" : "Optional TrustAll") + "\n"
        + "Server = " + serverUrl + "\n";
  }
}
