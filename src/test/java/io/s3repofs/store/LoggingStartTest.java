package io.s3repofs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.testing.Shell;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * SLF4J is bound once {@link ObjectStore}'s class is initialised, before the store (or a mount
 * around it) starts threads that log: a thread that logs while another binds SLF4J makes it print
 * three lines of warning after the mount's one-line error (seen in 2 of 20 mounts with wrong
 * keys). Checked in a child JVM, where nothing has touched SLF4J yet.
 */
class LoggingStartTest {

  /** SLF4J's {@code LoggerFactory.SUCCESSFUL_INITIALIZATION}. */
  private static final int BOUND = 3;

  @Test
  void theStoresClassBindsSlf4jBeforeAnyThreadOfItsOwn() throws Exception {
    Shell.Result r = Shell.run(null, ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), Child.class.getName());
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("before " + 0 + ", after " + BOUND, r.output().strip());
  }

  /** Prints SLF4J's initialisation state before and after the store's class is initialised. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      Field state = org.slf4j.LoggerFactory.class.getDeclaredField("INITIALIZATION_STATE");
      state.setAccessible(true);
      int before = state.getInt(null);
      Class.forName(ObjectStore.class.getName(), true, Child.class.getClassLoader());
      System.out.println("before " + before + ", after " + state.getInt(null));
    }
  }
}
