/**
 * A small, strict JSON reader and writer ({@link dev.diti4j.nn.json.Json}) for model configs and
 * safetensors headers; objects keep their key order.
 */
package dev.diti4j.nn.json;
