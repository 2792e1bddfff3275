package dev.sreagent.detect;

import dev.sreagent.api.port.CallGraph;
import dev.sreagent.api.port.Correlator;
import dev.sreagent.api.port.Detector;
import dev.sreagent.api.spi.BuiltInComponents;
import java.util.List;

/**
 * This module's defaults for the agent, found by the core with {@link java.util.ServiceLoader}: the
 * {@link BuiltInDetectors}, a {@link TopologyCorrelator} (15-minute window, blast radius) and a
 * {@link DependencyGraph} (edges expire 10 minutes after their last call, at most 50,000) and an
 * {@link IncidentRanking} (the cross-validated {@link RootCauseRanker}).
 */
public final class DetectBuiltIns implements BuiltInComponents {
  @Override
  public List<Detector> detectors() {
    return BuiltInDetectors.create();
  }

  /** The built-in detectors with the {@code detect.*} keys of {@code config} ({@link DetectorSettings}). */
  @Override
  public List<Detector> detectors(dev.sreagent.api.config.ConfigView config) {
    return DetectorSettings.of(config).create();
  }

  @Override
  public Correlator correlator() {
    return new TopologyCorrelator();
  }

  @Override
  public CallGraph callGraph() {
    return new DependencyGraph();
  }

  @Override
  public dev.sreagent.api.port.RootCauseRanking rootCauseRanking() {
    return new IncidentRanking();
  }

  /** The ranking with the {@code detect.ranking.*} keys of {@code config} ({@link DetectorSettings#ranking()}). */
  @Override
  public dev.sreagent.api.port.RootCauseRanking rootCauseRanking(dev.sreagent.api.config.ConfigView config) {
    return new IncidentRanking(new RootCauseRanker(DetectorSettings.of(config).ranking()));
  }
}
