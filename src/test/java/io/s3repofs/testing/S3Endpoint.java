package io.s3repofs.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * An S3 server the integration tests run against: the in-process S3Proxy, or LocalStack.
 *
 * @param createBucket makes a new, empty bucket
 */
public record S3Endpoint(String name, URI url, String accessKey, String secretKey, Consumer<String> createBucket) {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static S3Endpoint s3proxy() {
    var server = S3TestServer.get();
    return new S3Endpoint("s3proxy", server.endpoint(), server.accessKey(), server.secretKey(), server::createBucket);
  }

  /** A passwd-s3fs file for this endpoint's keys, mode 0600. */
  public Path passwdFile(Path dir, String bucket) throws IOException {
    Path file = dir.resolve("passwd-s3fs");
    Files.writeString(file, bucket + ":" + accessKey + ":" + secretKey + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** The s3fs-style options that reach this endpoint. */
  public String options(Path passwdFile) {
    return "url=" + url + ",use_path_request_style,passwd_file=" + passwdFile;
  }

  /** An anonymous GET, as pacman makes it. */
  public HttpResponse<byte[]> anonymousGet(String bucket, String key) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/" + bucket + "/" + key)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
