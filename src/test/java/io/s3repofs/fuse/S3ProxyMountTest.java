package io.s3repofs.fuse;

import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;

/** The mount integration suite against the in-process S3 server (S3Proxy). */
class S3ProxyMountTest extends MountIntegrationTest {

  @Override
  S3Endpoint endpoint() {
    return S3Endpoint.s3proxy();
  }

  @Override
  long requestCount() {
    return S3TestServer.get().totalRequests();
  }
}
