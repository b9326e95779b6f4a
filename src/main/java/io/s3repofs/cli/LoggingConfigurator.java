package io.s3repofs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging set-up, in code rather than logback.xml: s3repofs talks to users through its own
 * one-line messages, so its own loggers say INFO and the libraries' only WARN (S3Proxy, jclouds
 * and the AWS SDK only ERROR: they log expected 404s and retries as warnings). Parsing an XML
 * configuration took 0.35 s of a mount's start (Joran and xerces, 600 classes). Logback finds
 * this class through {@code META-INF/services}; {@code -Dlogback.configurationFile=FILE} still
 * replaces it.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("io.s3repofs").setLevel(Level.INFO);
    for (String quiet : new String[] {"org.gaul.s3proxy", "org.jclouds", "software.amazon.awssdk"}) {
      context.getLogger(quiet).setLevel(Level.ERROR);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
