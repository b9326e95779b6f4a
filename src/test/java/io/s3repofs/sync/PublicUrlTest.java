package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The URL pacman is pointed at, for each endpoint style. */
class PublicUrlTest {

  @Test
  void awsUsesVirtualHostStyleForDnsSafeNamesInTheBucketsRegion() {
    assertEquals("https://myrepo.s3.amazonaws.com", PublicUrl.bucket("myrepo", null, "us-east-1", false));
    assertEquals("https://myrepo.s3.eu-central-1.amazonaws.com", PublicUrl.bucket("myrepo", null, "eu-central-1", false));
  }

  @Test
  void awsUsesPathStyleForNamesThatAreNotDnsSafe() {
    // dots break the *.s3.amazonaws.com certificate; capitals and underscores are not host names
    assertEquals("https://s3.eu-west-1.amazonaws.com/repo.example.org",
        PublicUrl.bucket("repo.example.org", null, "eu-west-1", false));
    assertEquals("https://s3.amazonaws.com/My_Repo", PublicUrl.bucket("My_Repo", null, "us-east-1", false));
    assertEquals("https://s3.amazonaws.com/myrepo", PublicUrl.bucket("myrepo", null, "us-east-1", true));
  }

  @Test
  void customEndpointsSuchAsSpacesGetTheBucketAsSubdomain() {
    assertEquals("https://myrepo.ams3.digitaloceanspaces.com",
        PublicUrl.bucket("myrepo", URI.create("https://ams3.digitaloceanspaces.com"), "us-east-1", false));
    assertEquals("https://myrepo.s3.wasabisys.com:8443",
        PublicUrl.bucket("myrepo", URI.create("https://s3.wasabisys.com:8443/"), "us-east-1", false));
  }

  @Test
  void pathStyleServersKeepTheBucketInThePath() {
    assertEquals("http://127.0.0.1:9000/myrepo",
        PublicUrl.bucket("myrepo", URI.create("http://127.0.0.1:9000"), "us-east-1", true));
    assertEquals("https://minio.example.org/repo.with.dots",
        PublicUrl.bucket("repo.with.dots", URI.create("https://minio.example.org"), "us-east-1", false));
  }

  @Test
  void theSectionFollowsWhetherTheDatabaseIsSigned() {
    assertEquals("[myrepo]\nSigLevel = Required\nServer = https://b.example/repo/x86_64\n",
        PublicUrl.pacmanSection("myrepo", "https://b.example/repo/x86_64", true));
    assertEquals("[myrepo]\nSigLevel = Optional TrustAll\nServer = https://b.example/repo/x86_64\n",
        PublicUrl.pacmanSection("myrepo", "https://b.example/repo/x86_64", false));
  }

  @Test
  void pacmanConfCommandPrintsThePrefixAndRoot() {
    SyncFixtures.Run r = SyncFixtures.run("pacman-conf", "mybucket:/mirror", "--repo", "myrepo", "--root",
        "/repo/x86_64/", "-o", "url=https://ams3.digitaloceanspaces.com,passwd_file=/nonexistent-but-unused");
    // a passwd file that does not exist is a usage error, reported in one line
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void signedDatabaseInTheBucketMeansSigLevelRequired(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    String bucket = io.s3repofs.testing.S3TestServer.newBucket();
    var s3 = io.s3repofs.testing.S3Endpoint.s3proxy();
    String options = s3.options(s3.passwdFile(tmp, bucket));
    String[] args = {"pacman-conf", bucket + ":/mirror", "--repo", "signed", "--root", "repo/x86_64", "-o", options};
    SyncFixtures.Run unsigned = SyncFixtures.run(args);
    assertEquals("[signed]\nSigLevel = Optional TrustAll\nServer = " + s3.url() + "/" + bucket
        + "/mirror/repo/x86_64\n", unsigned.out(), unsigned.toString());
    try (var store = io.s3repofs.testing.S3TestServer.store(bucket, "public-read")) {
      store.putBytes("mirror/repo/x86_64/signed.db.sig", new byte[] {1, 2, 3}, java.util.Map.of());
    }
    SyncFixtures.Run signed = SyncFixtures.run(args);
    assertEquals("[signed]\nSigLevel = Required\nServer = " + s3.url() + "/" + bucket
        + "/mirror/repo/x86_64\n", signed.out(), signed.toString());
  }
}
