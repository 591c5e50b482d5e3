package io.larder.support.blockhound;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs BlockHound once, when JUnit starts, before any test creates a thread: every test of the
 * module (unit and integration) runs under it.
 *
 * <p>Why at start-up and not in a BlockHound IT's static block: BlockHound only knows a worker is
 * inside an allowed wait (a pool's idle {@code take()}) if the worker entered it after
 * installation. Reactor's parallel workers started by an earlier test in the same JVM are already
 * parked there; installed later, BlockHound fails their next park and the scheduler hangs.
 * Registered through META-INF/services and junit-platform.properties (extension autodetection).
 */
public final class BlockHoundForEveryTest implements BeforeAllCallback {

  public BlockHoundForEveryTest() {
    LarderBlockHound.install();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // Installed in the constructor, which runs once, before the first test class.
  }
}
