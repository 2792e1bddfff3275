package dev.sreagent.llm;

import dev.sreagent.api.config.ConfigView;
import dev.sreagent.api.config.ConfigurationException;
import dev.sreagent.api.port.Reasoner;
import dev.sreagent.api.spi.ReasonerProvider;
import dev.sreagent.core.reasoning.EvidenceReasoner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code sre-agent.reasoner = llm}: an {@link LlmReasoner} built from configuration, with the offline evidence
 * reasoner as its fallback. Used only when named (it sends data out). Keys:
 * <pre>
 * llm.provider = anthropic | openai | ollama
 * llm.url = https://api.anthropic.com          # default per provider (Ollama: http://127.0.0.1:11434)
 * llm.model = claude-sonnet-4-5
 * llm.api-key-env = ANTHROPIC_API_KEY           # the environment variable that holds the key (never the key)
 * llm.timeout = 20s
 * llm.price.input = 3.0                         # USD per million tokens, for cost accounting
 * llm.price.output = 15.0
 * llm.redact.emails = true                      # default true
 * llm.redact.ips = true                         # default true
 * </pre>
 */
public final class LlmReasonerProvider implements ReasonerProvider {
  private final Map<String, String> environment;

  /** Reads API keys from the process environment. */
  public LlmReasonerProvider() {
    this(System.getenv());
  }

  LlmReasonerProvider(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "llm";
  }

  @Override
  public boolean onlyWhenNamed() {
    return true;
  }

  @Override
  public Reasoner create(ConfigView config) {
    List<String> problems = new ArrayList<>();
    String provider = config.get("llm.provider", "");
    String defaultUrl = switch (provider) {
      case "anthropic" -> "https://api.anthropic.com";
      case "openai" -> "https://api.openai.com";
      case "ollama" -> "http://127.0.0.1:11434";
      default -> {
        problems.add("llm.provider must be anthropic, openai or ollama, but was '" + provider + "'");
        yield "";
      }
    };
    String url = config.get("llm.url", defaultUrl);
    String model = config.get("llm.model", "");
    if (model.isBlank()) {
      problems.add("llm.model is required (the provider's model name, e.g. claude-sonnet-4-5, gpt-4o, llama3.1)");
    }
    String keyEnv = config.get("llm.api-key-env", provider.equals("openai") ? "OPENAI_API_KEY"
        : "ANTHROPIC_API_KEY");
    String key = environment.getOrDefault(keyEnv, "");
    if (!provider.equals("ollama") && key.isBlank()) {
      problems.add("llm.api-key-env names " + keyEnv + ", but that environment variable is empty; export the key"
          + " there (the key itself never goes into the configuration file)");
    }
    Duration timeout = Duration.ofSeconds(20);
    try {
      timeout = Duration.parse("PT" + config.get("llm.timeout", "20s").toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      problems.add("llm.timeout must be a duration such as 20s, but was '" + config.get("llm.timeout", "") + "'");
    }
    double in = number(config, "llm.price.input", problems);
    double out = number(config, "llm.price.output", problems);
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    LlmClient client = switch (provider) {
      case "anthropic" -> LlmClient.anthropic(url, key, model, timeout);
      case "openai" -> LlmClient.openAi(url, key, model, timeout);
      default -> LlmClient.ollama(url, model, timeout);
    };
    Redactor.Builder redactor = Redactor.builder();
    if (config.get("llm.redact.emails", "true").equals("false")) {
      redactor.keepEmails();
    }
    if (config.get("llm.redact.ips", "true").equals("false")) {
      redactor.keepIpAddresses();
    }
    return LlmReasoner.builder(client).setFallback(new EvidenceReasoner()).setRedactor(redactor.build())
        .setPrices(in, out).build();
  }

  private static double number(ConfigView config, String key, List<String> problems) {
    String v = config.get(key, "0");
    try {
      double d = Double.parseDouble(v);
      if (d >= 0) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(key + " must be a non-negative number (USD per million tokens), but was '" + v + "'");
    return 0;
  }
}
