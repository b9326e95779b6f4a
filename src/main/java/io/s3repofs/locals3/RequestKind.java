package io.s3repofs.locals3;

import jakarta.servlet.http.HttpServletRequest;

/** Names an S3 request the way benchmarks report it: HEAD, GET, LIST, PUT, COPY, DELETE, ... */
final class RequestKind {

  private RequestKind() {}

  static String of(HttpServletRequest request) {
    String method = request.getMethod();
    String query = request.getQueryString() == null ? "" : request.getQueryString();
    String path = request.getRequestURI();
    boolean bucketLevel = path.chars().filter(c -> c == '/').count() <= 1
        || (path.indexOf('/', 1) == path.length() - 1);
    switch (method) {
      case "GET":
        if (bucketLevel) {
          return query.contains("location") ? "GET_BUCKET_LOCATION" : "LIST";
        }
        return query.contains("acl") ? "GET_ACL" : "GET";
      case "PUT":
        if (query.contains("partNumber")) {
          return "UPLOAD_PART";
        }
        if (request.getHeader("x-amz-copy-source") != null) {
          return "COPY";
        }
        if (query.contains("acl")) {
          return "PUT_ACL";
        }
        return bucketLevel ? "CREATE_BUCKET" : "PUT";
      case "POST":
        if (query.contains("uploads")) {
          return "CREATE_MULTIPART";
        }
        if (query.contains("uploadId")) {
          return "COMPLETE_MULTIPART";
        }
        return query.contains("delete") ? "DELETE_MULTIPLE" : "POST";
      case "DELETE":
        return query.contains("uploadId") ? "ABORT_MULTIPART" : "DELETE";
      default:
        return method;
    }
  }
}
