/**
 * Adapter: an OTLP/HTTP receiver ({@code /v1/metrics}, {@code /v1/traces}, {@code /v1/logs}, protobuf encoding,
 * gzip) built on the official OTLP protobuf definitions, mapping OpenTelemetry semantic conventions onto the SDK's
 * signals. Embeddable in a host application: no framework, JDK HTTP server, loopback by default.
 */
@NullMarked
package dev.sreagent.otel;

import org.jspecify.annotations.NullMarked;
