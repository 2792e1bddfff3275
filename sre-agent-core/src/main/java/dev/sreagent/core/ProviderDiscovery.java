package dev.sreagent.core;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.spi.Provider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Finds SPI providers ({@link Provider}) with {@link ServiceLoader} for {@link SreAgentBuilder#build()} and creates
 * their instances, collecting every problem instead of stopping at the first. The rules are the ones
 * {@link Provider} documents: discovery off finds only what configuration names; a provider that is
 * {@link Provider#onlyWhenNamed()} is used only when named.
 */
final class ProviderDiscovery {
  private final boolean enabled;
  private final ConfigView view;
  private final List<String> problems;

  ProviderDiscovery(boolean enabled, ConfigView view, List<String> problems) {
    this.enabled = enabled;
    this.view = view;
    this.problems = problems;
  }

  private static <P extends Provider<?>> List<P> load(Class<P> type) {
    List<P> providers = new ArrayList<>();
    ServiceLoader.load(type, SreAgentBuilder.class.getClassLoader()).forEach(providers::add);
    providers.sort(Comparator.comparingInt(Provider::order));
    return providers;
  }

  /** An instance from every provider of {@code type} that needs no naming, in order; none with discovery off. */
  <T, P extends Provider<T>> List<T> all(Class<P> type) {
    if (!enabled) {
      return List.of();
    }
    List<T> out = new ArrayList<>();
    for (P provider : load(type)) {
      if (!provider.onlyWhenNamed()) {
        create(type, provider).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * The instance of the provider {@code sre-agent.<port>} names (even with discovery off), else of the first that
   * needs no naming (discovery on), else {@code fallback}'s.
   */
  <T, P extends Provider<T>> T single(Class<P> type, String port, Supplier<T> fallback) {
    String wanted = view.get("sre-agent." + port).orElse(null);
    if (wanted == null && !enabled) {
      return fallback.get();
    }
    List<P> providers = load(type);
    if (wanted != null) {
      List<T> named = byName(type, "sre-agent." + port, providers, List.of(wanted));
      return named.isEmpty() ? fallback.get() : named.get(0);
    }
    for (P provider : providers) {
      if (!provider.onlyWhenNamed()) {
        return create(type, provider).orElseGet(fallback);
      }
    }
    return fallback.get();
  }

  /**
   * An instance from each provider the comma-separated {@code key} names (even with discovery off); a name no
   * provider has is a problem.
   */
  <T, P extends Provider<T>> List<T> named(Class<P> type, String key) {
    String names = view.get(key).orElse("").strip();
    if (names.isEmpty()) {
      return List.of();
    }
    Set<String> wanted = new LinkedHashSet<>();
    Arrays.stream(names.split(",")).map(String::strip).filter(n -> !n.isEmpty()).forEach(wanted::add);
    return byName(type, key, load(type), List.copyOf(wanted));
  }

  private <T, P extends Provider<T>> List<T> byName(Class<P> type, String key, List<P> providers,
      List<String> wanted) {
    List<T> out = new ArrayList<>();
    for (String name : wanted) {
      P found = providers.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
      if (found == null) {
        problems.add(key + " names provider '" + name + "', but the known " + type.getSimpleName() + "s are "
            + providers.stream().map(Provider::name).collect(Collectors.toList())
            + "; add the module that provides it to the class path, or correct the name");
      } else {
        create(type, found).ifPresent(out::add);
      }
    }
    return out;
  }

  private <T, P extends Provider<T>> java.util.Optional<T> create(Class<P> type, P provider) {
    try {
      T made = provider.create(view);
      if (made == null) {
        problems.add(type.getSimpleName() + " '" + provider.name() + "' created nothing (null)");
      }
      return java.util.Optional.ofNullable(made);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    } catch (RuntimeException e) {
      problems.add(type.getSimpleName() + " '" + provider.name() + "' failed to create: " + e);
    } catch (LinkageError e) {
      problems.add(type.getSimpleName() + " " + provider.getClass().getName() + " does not match this sre-agent-api"
          + " (" + e + "); rebuild it against the sre-agent-api version on the class path");
    }
    return java.util.Optional.empty();
  }
}
