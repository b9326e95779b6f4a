package io.s3repofs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves HotSpot's optimizing compiler (C2) to the JDK's cryptography in a mount's JVM, once the
 * mount is up; everything else stays compiled by C1, the quick compiler.
 *
 * <p>Why: a cold {@code ls -l} of 10,000 objects makes 10,000 signed HEADs, and C2 compiling the
 * HTTP client, the SDK and the file system for it was about a quarter of the mount's CPU (9 s
 * for one listing on two cores). With C1 only the same listing took half the CPU, but only C2
 * uses the CPU's SHA and AES instructions, which SigV4 (SHA-256 of every byte sent over http)
 * and TLS need: 25 MiB/s of upload instead of over 200. These HotSpot compiler directives give
 * both: C2 for {@code sun.security.provider}, {@code com.sun.crypto.provider},
 * {@code sun.security.ssl} and {@link java.security.MessageDigest}, C1 for the rest.
 *
 * <p>The directives are added through the DiagnosticCommand MBean ({@code jcmd PID
 * Compiler.directives_add} from inside), not {@code -XX:CompilerDirectivesFile}, which prints a
 * line on stdout at every start. The launcher turns them on for {@code mount} with
 * {@code -D}{@value #PROPERTY}{@code =crypto}; a JVM without it (tests, {@code sync}'s mount
 * inside a longer-lived process) keeps the JVM's own choice.
 */
final class JitDirectives {

  /** {@code crypto}: C2 compiles only the JDK's cryptography. Anything else: the JVM's default. */
  static final String PROPERTY = "s3repofs.c2";
  private static final String RESOURCE = "c2-for-crypto-only.json";
  private static final Logger LOG = LoggerFactory.getLogger(JitDirectives.class);

  private JitDirectives() {
  }

  /** Adds the directives on a thread of its own (about 0.13 s of CPU), if the launcher asked. */
  static void addInBackground() {
    if (!"crypto".equals(System.getProperty(PROPERTY))) {
      return;
    }
    Thread t = new Thread(JitDirectives::add, "s3repofs-jit-directives");
    t.setDaemon(true);
    t.start();
  }

  /** Adds the directives now; false (and a debug line) when this JVM does not take them. */
  static boolean add() {
    Path file = null;
    try (InputStream in = JitDirectives.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(RESOURCE + " is not in the jar");
      }
      file = Files.createTempFile("s3repofs-jit-", ".json");
      Files.write(file, in.readAllBytes());
      Object said = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
          new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
      // HotSpot answers "N compiler directives added", or why it parsed none
      boolean added = String.valueOf(said).contains("added");
      if (!added) {
        LOG.debug("compiler directives not added: {}", said);
      }
      return added;
    } catch (IOException | JMException | RuntimeException e) {
      LOG.debug("compiler directives not added: {}", e.toString());
      return false;
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // a file of 300 bytes left in the temp directory
        }
      }
    }
  }
}
