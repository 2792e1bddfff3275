package dev.sreagent.llm;

import dev.sreagent.api.Require;
import dev.sreagent.api.model.Citation;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.RetrievedDocument;
import dev.sreagent.api.model.TokenUsage;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.Embedder;
import dev.sreagent.api.port.Reasoner;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reasoner that asks a language model, and is never riskier than the offline reasoner it wraps:
 * <ol>
 *   <li>the prompt (incident, numbered evidence, retrieved documents, catalog, answer schema) is passed through the
 *       {@link Redactor} — nothing else is sent;
 *   <li>the call has the client's timeout, is retried on timeouts, 429 and 5xx ({@code maxRetries}, default 1,
 *       with backoff), and runs behind a circuit breaker (opens after half of the last 10 calls failed, stays open
 *       5 min);
 *   <li>the answer is parsed strictly ({@link LlmAnswer}) and every hypothesis is checked by the
 *       {@link DiagnosisValidator}: hallucinated citations are dropped, and a refusal (hallucinated citation,
 *       contradicted signal, root outside the incident, out-of-catalog or unfitting action) caps the confidence at
 *       0.45, under the autonomy floor, so that a human decides;
 *   <li>when anything fails — unreachable, timeout, open circuit, malformed answer — the offline reasoner answers
 *       instead, and the diagnosis says why.
 * </ol>
 * The confidence is explained: {@code 0.3 model + 0.3 validator + 0.2 agreement + 0.2 knowledge}, where agreement
 * is whether the model's root is the correlator's and knowledge the share of valid citations. Every diagnosis
 * carries its {@link TokenUsage} (tokens as the provider counted them, cost from {@link Builder#setPrices}).
 *
 * <pre>{@code
 * Reasoner llm = LlmReasoner.builder(LlmClient.anthropic("https://api.anthropic.com",
 *         System.getenv("ANTHROPIC_API_KEY"), "claude-sonnet-4-5", Duration.ofSeconds(20)))
 *     .setFallback(new EvidenceReasoner()).setPrices(3.0, 15.0).build();
 * SreAgent agent = SreAgent.builder().setReasoner(llm).build();
 * }</pre>
 */
public final class LlmReasoner implements Reasoner {
  private static final Logger LOG = LoggerFactory.getLogger(LlmReasoner.class);
  /** Confidence ceiling of a diagnosis the validator refused. */
  public static final double REFUSED_CEILING = 0.45;

  private final LlmClient client;
  private final Reasoner fallback;
  private final Redactor redactor;
  private final int maxRetries;
  private final Duration backoff;
  private final Clock clock;
  private final double inputPricePerMillion;
  private final double outputPricePerMillion;
  private final int maxTokens;
  private final int evidenceBudget;
  private final CircuitBreaker breaker;
  private final @Nullable LlmClient second;
  private final AtomicLong inputTokens = new AtomicLong();
  private final AtomicLong outputTokens = new AtomicLong();
  private final Map<String, Integer> redactions = new LinkedHashMap<>();
  private final com.github.benmanes.caffeine.cache.Cache<String, Cached> cache;
  private final @Nullable Embedder cacheEmbedder;
  private final double cacheSimilarity;
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong cacheMisses = new AtomicLong();

  /** A cached answer, with the embedding of the incident it answered (when an embedder is configured). */
  private record Cached(LlmAnswer answer, String group, float @Nullable [] embedding,
      String model) {}

  private LlmReasoner(Builder b) {
    this.client = b.client;
    this.fallback = b.fallback;
    this.redactor = b.redactor;
    this.maxRetries = b.maxRetries;
    this.backoff = b.backoff;
    this.clock = b.clock;
    this.inputPricePerMillion = b.inputPrice;
    this.outputPricePerMillion = b.outputPrice;
    this.maxTokens = b.maxTokens;
    this.evidenceBudget = b.evidenceBudget;
    this.cache = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(b.cacheEntries)
        .expireAfterWrite(b.cacheTtl).build();
    this.cacheEmbedder = b.cacheEmbedder;
    this.second = b.second;
    this.cacheSimilarity = b.cacheSimilarity;
    this.breaker = CircuitBreaker.of("llm-" + client.model(), CircuitBreakerConfig.custom()
        .slidingWindowSize(10).minimumNumberOfCalls(4).failureRateThreshold(50)
        .waitDurationInOpenState(b.openFor).build());
  }

  public static Builder builder(LlmClient client) {
    return new Builder(client);
  }

  /** Builder of {@link LlmReasoner}. */
  public static final class Builder {
    private final LlmClient client;
    private Reasoner fallback = (incident, knowledge) -> new Diagnosis(List.of(new Hypothesis(
        "undiagnosed: the language model gave no usable answer", 0, "no offline reasoner configured", List.of())),
        new Confidence(0, Map.of(), "no diagnosis"), "none");
    private Redactor redactor = Redactor.defaults();
    private int maxRetries = 1;
    private Duration backoff = Duration.ofMillis(250);
    private Clock clock = Clock.system();
    private Duration openFor = Duration.ofMinutes(5);
    private double inputPrice;
    private double outputPrice;
    private int maxTokens = 1024;
    private int evidenceBudget = 1200;
    private Duration cacheTtl = Duration.ofHours(1);
    private int cacheEntries = 1_000;
    private @Nullable Embedder cacheEmbedder;
    private double cacheSimilarity = 0.92;
    private @Nullable LlmClient second;

    private Builder(LlmClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Who answers when the model cannot (recommended: the core's {@code EvidenceReasoner}). */
    public Builder setFallback(Reasoner fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    public Builder setRedactor(Redactor redactor) {
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /** The clock retries wait on (default the system clock; a simulation's virtual clock in tests). */
    public Builder setClock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Retries after a retryable failure (default 1) and the first backoff (default 250 ms, doubling). */
    public Builder setRetries(int maxRetries, Duration backoff) {
      this.maxRetries = Require.within(maxRetries, 0, 5, "maxRetries");
      this.backoff = Require.positive(backoff, "backoff");
      return this;
    }

    /** How long the circuit stays open after the model failed too often (default 5 min). */
    public Builder setOpenCircuitFor(Duration d) {
      this.openFor = Require.positive(d, "openCircuitFor");
      return this;
    }

    /** Prices in US dollars per million input and output tokens, for cost accounting (default 0). */
    public Builder setPrices(double inputPerMillion, double outputPerMillion) {
      Require.atLeast(inputPerMillion, 0, "inputPerMillion");
      Require.atLeast(outputPerMillion, 0, "outputPerMillion");
      this.inputPrice = inputPerMillion;
      this.outputPrice = outputPerMillion;
      return this;
    }

    /** The answer's token budget (default 1024). */
    public Builder setMaxTokens(int maxTokens) {
      this.maxTokens = Require.atLeast(maxTokens, 64, "maxTokens");
      return this;
    }

    /** Tokens the evidence may take in the prompt (default 1,200; see {@code EvidenceDigest}). */
    public Builder setEvidenceBudget(int tokens) {
      this.evidenceBudget = Require.atLeast(tokens, 100, "evidenceBudget");
      return this;
    }

    /**
     * The semantic diagnosis cache (default: on, 1 h, 1,000 entries, exact signatures). An incident with the same
     * signature as an earlier one — type, root service, the signals that fired and the documents retrieved (so a
     * change of knowledge that changes what is retrieved misses) — reuses that answer; with an {@code embedder},
     * also one whose anomaly summaries are at least {@code similarity} alike (cosine) among those of the same type,
     * root and documents. A cached answer is validated again against the new incident's evidence; it costs no tokens.
     * A {@code maxEntries} of 0 switches the cache off.
     */
    public Builder setCache(Duration ttl, int maxEntries, @Nullable Embedder embedder, double similarity) {
      Require.notNegative(ttl, "ttl");
      Require.atLeast(maxEntries, 0, "maxEntries");
      Require.withinOpenClosed(similarity, 0, 1, "similarity");
      this.cacheTtl = ttl;
      this.cacheEntries = maxEntries;
      this.cacheEmbedder = embedder;
      this.cacheSimilarity = similarity;
      return this;
    }

    /**
     * A second model asked the same question after the first answered: when its top hypothesis names another root
     * service or another action, the diagnosis's confidence is capped under the autonomy floor (a human decides) and
     * the explanation says where they disagree. Its tokens are counted too; when it fails, the first answer stands.
     */
    public Builder setSecondOpinion(LlmClient second) {
      this.second = Objects.requireNonNull(second, "second");
      return this;
    }

    public LlmReasoner build() {
      return new LlmReasoner(this);
    }
  }

  /** Tokens used so far: input, output. */
  public long[] tokensUsed() {
    return new long[] {inputTokens.get(), outputTokens.get()};
  }

  /** Redactions made so far, by kind. */
  public synchronized Map<String, Integer> redactions() {
    return Map.copyOf(redactions);
  }

  /** The circuit breaker's state (CLOSED, OPEN, HALF_OPEN). */
  public String circuitState() {
    return breaker.getState().name();
  }

  @Override
  public Diagnosis diagnose(Incident incident, List<RetrievedDocument> knowledge) {
    DiagnosisPrompt prompt = new DiagnosisPrompt(incident, knowledge, evidenceBudget, 600);
    Map<String, Integer> counts = new LinkedHashMap<>();
    LlmClient.Request request = new LlmClient.Request(redactor.redact(DiagnosisPrompt.SYSTEM, counts),
        redactor.redact(prompt.user(), counts), maxTokens);
    synchronized (this) {
      counts.forEach((k, v) -> redactions.merge(k, v, Integer::sum));
    }
    String signature = signature(incident, prompt);
    Cached hit = lookup(signature, incident, prompt);
    if (hit != null) {
      cacheHits.incrementAndGet();
      Diagnosis d = diagnosis(hit.answer(), incident, knowledge, prompt, new TokenUsage(hit.model(), 0, 0, 0));
      return new Diagnosis(d.hypotheses(), d.confidence(), "llm-cache:" + hit.model(), d.usage());
    }
    cacheMisses.incrementAndGet();
    TokenUsage usage = new TokenUsage(client.model(), 0, 0, 0);
    String failure;
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          LlmClient.Completion c = breaker.executeCheckedSupplier(() -> client.complete(request));
          usage = usage.plus(account(c));
          LlmAnswer answer = LlmAnswer.parse(c.text());
          store(signature, answer, incident, prompt, usage.model());
          if (second == null) {
            return diagnosis(answer, incident, knowledge, prompt, usage);
          }
          String disagreement;
          try {
            LlmClient.Completion c2 = second.complete(request);
            usage = usage.plus(account(c2));
            LlmAnswer.H a = answer.hypotheses().get(0);
            LlmAnswer.H b = LlmAnswer.parse(c2.text()).hypotheses().get(0);
            disagreement = !a.rootService().equals(b.rootService()) ? "root " + a.rootService() + " vs "
                + b.rootService() : !a.action().equals(b.action()) ? "action " + a.action() + " vs " + b.action()
                : null;
          } catch (LlmException | LlmAnswer.MalformedAnswer e) {
            LOG.debug("second opinion unavailable: {}", e.getMessage());
            disagreement = null;
          }
          Diagnosis d = diagnosis(answer, incident, knowledge, prompt, usage);
          if (disagreement == null) {
            return d;
          }
          Confidence conf = d.confidence();
          Map<String, Double> factors = new LinkedHashMap<>(conf.factors());
          factors.put("second-opinion", 0.0);
          return new Diagnosis(d.hypotheses(), new Confidence(Math.min(conf.score(), REFUSED_CEILING), factors,
              conf.explanation() + "; second opinion (" + second.model() + ") disagrees: " + disagreement),
              d.reasoner(), d.usage());
        } catch (LlmException e) {
          if (!e.retryable() || attempt >= maxRetries) {
            throw e;
          }
          LOG.debug("model call failed, retrying: {}", e.getMessage());
          clock.sleep(Duration.ofMillis(backoff.toMillis() << attempt));
        }
      }
    } catch (LlmAnswer.MalformedAnswer e) {
      breaker.onError(0, java.util.concurrent.TimeUnit.NANOSECONDS, e);
      failure = "malformed answer: " + e.getMessage();
    } catch (CallNotPermittedException e) {
      failure = "circuit open after repeated failures";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } catch (Throwable e) {
      failure = e.getMessage();
    }
    LOG.warn("language model gave no usable diagnosis for {} ({}); the offline reasoner answers", incident.id(),
        failure);
    Diagnosis d = fallback.diagnose(incident, knowledge);
    Confidence c = d.confidence();
    return new Diagnosis(d.hypotheses(), new Confidence(c.score(), c.factors(), c.explanation()
        + " [offline: the language model failed: " + failure + "]"), "llm-fallback:" + d.reasoner(),
        usage.inputTokens() + usage.outputTokens() > 0 ? usage : null);
  }

  /** Cache hits and misses so far. */
  public long[] cacheStats() {
    return new long[] {cacheHits.get(), cacheMisses.get()};
  }

  /** Drops every cached answer (for example after the runbooks were rewritten). */
  public void invalidateCache() {
    cache.invalidateAll();
  }

  private static String group(Incident incident, DiagnosisPrompt prompt) {
    return incident.type() + "|" + incident.rootService() + "|" + new java.util.TreeSet<>(prompt.documentIds());
  }

  private static String signature(Incident incident, DiagnosisPrompt prompt) {
    return group(incident, prompt) + "|" + new java.util.TreeSet<>(incident.anomalies().stream()
        .map(a -> a.service() + ":" + a.signal()).toList());
  }

  private static String summary(Incident incident) {
    return String.join(" ", incident.anomalies().stream().map(dev.sreagent.api.model.Anomaly::summary).toList());
  }

  private @Nullable Cached lookup(String signature, Incident incident,
      DiagnosisPrompt prompt) {
    Cached exact = cache.getIfPresent(signature);
    if (exact != null || cacheEmbedder == null) {
      return exact;
    }
    String group = group(incident, prompt);
    float[] v = null;
    for (Cached c : cache.asMap().values()) {
      if (c.group().equals(group) && c.embedding() != null) {
        if (v == null) {
          v = cacheEmbedder.embed(summary(incident));
        }
        double dot = 0;
        for (int i = 0; i < v.length; i++) {
          dot += v[i] * c.embedding()[i];
        }
        if (dot >= cacheSimilarity) {
          return c;
        }
      }
    }
    return null;
  }

  private void store(String signature, LlmAnswer answer, Incident incident, DiagnosisPrompt prompt, String model) {
    float[] v = cacheEmbedder == null ? null : cacheEmbedder.embed(summary(incident));
    cache.put(signature, new Cached(answer, group(incident, prompt), v, model));
  }

  private TokenUsage account(LlmClient.Completion c) {
    inputTokens.addAndGet(c.inputTokens());
    outputTokens.addAndGet(c.outputTokens());
    double cost = c.inputTokens() * inputPricePerMillion / 1e6 + c.outputTokens() * outputPricePerMillion / 1e6;
    return new TokenUsage(c.model().isBlank() ? client.model() : c.model(), c.inputTokens(), c.outputTokens(), cost);
  }

  private static Diagnosis diagnosis(LlmAnswer answer, Incident incident, List<RetrievedDocument> knowledge,
      DiagnosisPrompt prompt, TokenUsage usage) {
    List<Hypothesis> hypotheses = new ArrayList<>();
    DiagnosisValidator.Verdict top = null;
    LlmAnswer.H topH = null;
    for (LlmAnswer.H h : answer.hypotheses()) {
      DiagnosisValidator.Verdict v = DiagnosisValidator.check(h, incident, prompt.documentIds(),
          prompt.evidenceIds().keySet());
      if (top == null) {
        top = v;
        topH = h;
      }
      List<Citation> citations = new ArrayList<>();
      for (String id : v.citations()) {
        knowledge.stream().filter(r -> r.document().id().equals(id)).findFirst().ifPresent(r -> citations.add(
            new Citation(id, r.document().title(), r.document().text().lines().findFirst().orElse(""),
                r.score())));
      }
      String rationale = h.rationale() + (h.action().equals("none") ? "" : " Proposed action: " + h.action() + ".")
          + (v.evidence().isEmpty() ? "" : " Evidence: " + v.evidence() + ".")
          + (v.problems().isEmpty() ? "" : " Validator: " + String.join("; ", v.problems()) + ".");
      hypotheses.add(new Hypothesis(h.cause(), h.likelihood(), rationale, citations));
    }
    double model = topH.likelihood();
    double agreement = topH.rootService().equals(incident.rootService()) ? 1.0 : 0.3;
    double knowledgeFactor = topH.citations().isEmpty() ? 0 : (double) top.citations().size()
        / topH.citations().size();
    double score = 0.3 * model + 0.3 * top.factor() + 0.2 * agreement + 0.2 * knowledgeFactor;
    String explanation = String.format(Locale.ROOT,
        "%.2f = 0.3 x model %.2f + 0.3 x validator %.2f + 0.2 x agreement %.2f + 0.2 x knowledge %.2f", score,
        model, top.factor(), agreement, knowledgeFactor);
    if (top.refused() && score > REFUSED_CEILING) {
      score = REFUSED_CEILING;
      explanation += String.format(Locale.ROOT, "; capped at %.2f: %s", REFUSED_CEILING,
          String.join("; ", top.problems()));
    }
    return new Diagnosis(hypotheses, new Confidence(score, Map.of("model", model, "validator", top.factor(),
        "agreement", agreement, "knowledge", knowledgeFactor), explanation), "llm:" + usage.model(), usage);
  }
}
