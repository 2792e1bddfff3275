package dev.sreagent.gitops;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Keeps JGit from starting the {@code git} program. JGit finds the system-wide git configuration by running
 * {@code git config --system --show-origin --list} unless {@code GIT_CONFIG_NOSYSTEM} is set; this installs, once per
 * class loader, a {@link SystemReader} that behaves as if it were set (the system configuration is empty) and otherwise
 * delegates to the one installed before. The user's {@code ~/.gitconfig} is still read (URL rewrites, proxies); what in
 * it could start a program is neutralised where the repository is used: hooks are never run (commits are built from
 * objects, pushes go through the transport directly) and commits are never signed.
 *
 * <p>Public for other JGit users in the same process that may run before the executor (test tooling that creates
 * repositories, such as the GitOps testkit's {@code BareRemote}); the executor calls {@link #ensure()} itself.
 */
public final class JGitIsolation {
  private JGitIsolation() {}

  /** Installs the reader (process-wide, for this class loader) unless it is installed already. Idempotent. */
  public static synchronized void ensure() {
    SystemReader current = SystemReader.getInstance();
    if (!(current instanceof NoSystemConfig)) {
      SystemReader.setInstance(new NoSystemConfig(current));
    }
  }

  /** A {@link SystemReader} with an empty system configuration that never looks for a {@code git} program. */
  static final class NoSystemConfig extends SystemReader {
    static final String NOSYSTEM = "GIT_CONFIG_NOSYSTEM";
    private final SystemReader delegate;

    NoSystemConfig(SystemReader delegate) {
      this.delegate = delegate;
    }

    @Override
    public String getHostname() {
      return delegate.getHostname();
    }

    @Override
    public String getenv(String variable) {
      return NOSYSTEM.equals(variable) ? "1" : delegate.getenv(variable);
    }

    @Override
    public String getProperty(String key) {
      return delegate.getProperty(key);
    }

    @Override
    public FileBasedConfig openUserConfig(Config parent, FS fs) {
      return delegate.openUserConfig(parent, fs);
    }

    @Override
    public FileBasedConfig openSystemConfig(Config parent, FS fs) {
      return new FileBasedConfig(parent, null, fs) {
        @Override
        public void load() {
          // GIT_CONFIG_NOSYSTEM: no system configuration, and no `git` run to find one
        }

        @Override
        public boolean isOutdated() {
          return false;
        }
      };
    }

    @Override
    public FileBasedConfig openJGitConfig(Config parent, FS fs) {
      return delegate.openJGitConfig(parent, fs);
    }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public long getCurrentTime() {
      return delegate.getCurrentTime();
    }

    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public int getTimezone(long when) {
      return delegate.getTimezone(when);
    }

    @Override
    public java.time.Instant now() {
      return delegate.now();
    }

    @Override
    public org.eclipse.jgit.util.time.MonotonicClock getClock() {
      return delegate.getClock();
    }

    @Override
    public java.time.ZoneOffset getTimeZoneAt(java.time.Instant when) {
      return delegate.getTimeZoneAt(when);
    }

    @Override
    public java.time.ZoneId getTimeZoneId() {
      return delegate.getTimeZoneId();
    }
  }
}
