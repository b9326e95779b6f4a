package io.s3repofs.store;

import software.amazon.awssdk.core.exception.SdkClientException;

/** No keys anywhere: the message says where they were looked for and how to give them. */
public final class NoCredentialsException extends SdkClientException {
  NoCredentialsException(String message) {
    super(SdkClientException.builder().message(message));
  }
}
