package io.s3repofs.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * The home directory, as s3fs and shells find it: {@code $HOME}; the JVM's {@code user.home}
 * (the password database's entry) only when HOME is unset or empty. They differ under
 * {@code sudo -H}, in containers and in CI jobs that set HOME.
 */
public final class UserHome {
  private UserHome() {}

  public static Path directory() {
    return directory(System.getenv());
  }

  static Path directory(Map<String, String> env) {
    String home = env.get("HOME");
    return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
  }
}
