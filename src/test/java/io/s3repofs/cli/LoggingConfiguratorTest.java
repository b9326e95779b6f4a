package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logback finds {@link LoggingConfigurator} (META-INF/services) and sets the levels it states. */
class LoggingConfiguratorTest {

  @Test
  void logbackUsesTheConfiguratorsLevelsAndOneStderrAppender() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    assertEquals(Level.INFO, context.getLogger("io.s3repofs").getEffectiveLevel());
    assertEquals(Level.INFO, context.getLogger("io.s3repofs.cache.WritebackQueue").getEffectiveLevel());
    assertEquals(Level.ERROR, context.getLogger("software.amazon.awssdk.request").getEffectiveLevel());
    assertEquals(Level.ERROR, context.getLogger("org.gaul.s3proxy.junit").getEffectiveLevel());
    assertEquals(Level.WARN, context.getLogger("org.apache.http").getEffectiveLevel());
    ConsoleAppender<?> stderr = assertInstanceOf(ConsoleAppender.class,
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
    assertEquals("System.err", stderr.getTarget());
    assertEquals(LoggingConfigurator.PATTERN, ((PatternLayoutEncoder) stderr.getEncoder()).getPattern());
  }

  @Test
  void logbackXmlNamedOnTheCommandLineStillWins() {
    LoggerContext context = new LoggerContext();
    System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
    try {
      assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY,
          new LoggingConfigurator().configure(context));
      assertEquals(null, context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"));
    } finally {
      System.clearProperty("logback.configurationFile");
    }
    assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
        new LoggingConfigurator().configure(context));
    assertTrue(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR").isStarted());
    assertEquals(Level.ERROR, context.getLogger("org.jclouds.rest").getEffectiveLevel());
  }
}
