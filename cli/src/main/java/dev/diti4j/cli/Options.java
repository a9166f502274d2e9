package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.Backends;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import picocli.CommandLine;

/** Shared parsing and checks of command-line values. */
final class Options {
    private Options() {
    }

    /** A usage error of {@code spec}'s command. */
    static CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Parses and checks a device: it must exist on this machine. */
    static Device device(CommandLine.Model.CommandSpec spec, String text) {
        Device d;
        try {
            d = Device.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage(spec, "--device: " + e.getMessage());
        }
        String why = Backends.unavailableReason(d);
        if (why != null) {
            throw usage(spec, "--device " + text + " is not available here: " + why);
        }
        return d;
    }

    /** A list of positive integers such as {@code 1,2,2}, or none for {@code none}/empty. */
    static int[] intList(CommandLine.Model.CommandSpec spec, String option, String text, boolean allowNone) {
        String t = text.strip();
        if (allowNone && (t.isEmpty() || t.equalsIgnoreCase("none"))) {
            return new int[0];
        }
        try {
            int[] v = Arrays.stream(t.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            for (int x : v) {
                if (x < 1) {
                    throw new NumberFormatException();
                }
            }
            return v;
        } catch (NumberFormatException e) {
            throw usage(spec, option + " expects positive integers separated by commas (e.g. 1,2,2)"
                    + (allowNone ? " or none" : "") + ", got '" + text + "'");
        }
    }

    /** {@code runs/<name>-<date>-<time>} in the working folder. */
    static Path defaultRunFolder(String name) {
        return Path.of("runs", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    static void positive(CommandLine.Model.CommandSpec spec, String option, long v) {
        if (v < 1) {
            throw usage(spec, option + " must be at least 1, got " + v);
        }
    }

    static void range(CommandLine.Model.CommandSpec spec, String option, long v, long min, long max) {
        if (v < min || v > max) {
            throw usage(spec, option + " must be between " + min + " and " + max + ", got " + v);
        }
    }

    static void nonNegative(CommandLine.Model.CommandSpec spec, String option, long v) {
        if (v < 0) {
            throw usage(spec, option + " must be 0 or more, got " + v);
        }
    }

    /** A learning rate: positive and finite. */
    static void learningRate(CommandLine.Model.CommandSpec spec, String option, float lr) {
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw usage(spec, option + " must be a positive number, got " + lr);
        }
    }

    /** An EMA decay in [0, 1). */
    static void emaDecay(CommandLine.Model.CommandSpec spec, String option, float decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw usage(spec, option + " must be in [0, 1), got " + decay);
        }
    }
}
