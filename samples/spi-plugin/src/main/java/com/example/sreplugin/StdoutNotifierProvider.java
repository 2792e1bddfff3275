package com.example.sreplugin;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.port.Notifier;
import dev.sreagent.api.spi.NotifierProvider;

/** Prints one line per incident event when {@code example.stdout=true}; otherwise does nothing. */
public final class StdoutNotifierProvider implements NotifierProvider {
  @Override
  public String name() {
    return "stdout";
  }

  @Override
  public Notifier create(ConfigView config) {
    if (!Boolean.parseBoolean(config.get("example.stdout", "false"))) {
      return Notifier.noop();
    }
    return e -> System.out.println(e.at() + " " + e.incident().id() + " " + e.kind() + " " + e.message());
  }
}
