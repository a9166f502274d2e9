/**
 * The conformance harness every backend must pass: the {@link dev.diti4j.core.testing.ReferenceBackend}
 * oracle (scalar loops in double precision), the {@link dev.diti4j.core.testing.OpCatalogue} of
 * seeded op cases, {@link dev.diti4j.core.testing.OpConformance} comparing a candidate backend with
 * the reference forward and backward, {@link dev.diti4j.core.testing.GradCheck} finite differences,
 * and the {@link dev.diti4j.core.testing.RequiresCuda} condition. Shared with other modules
 * through core's test-jar; see docs/internals/testing.md.
 */
package dev.diti4j.core.testing;
