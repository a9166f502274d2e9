package dev.diti4j.diti;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library module brings none of the command line's dependencies: a program that embeds
 * {@code diti4j-diti} gets no argument parser, charting, progress-bar or run-folder JSON library
 * on its class path (they belong to {@code diti4j-cli}).
 */
class LibraryDependenciesTest {
    @ParameterizedTest
    @ValueSource(strings = {"picocli.CommandLine", "org.knowm.xchart.XYChart", "me.tongfei.progressbar.ProgressBar",
            "com.fasterxml.jackson.databind.ObjectMapper", "dev.diti4j.cli.Main"})
    void isNotOnTheLibrarysClassPath(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className, false,
                LibraryDependenciesTest.class.getClassLoader()));
    }
}
