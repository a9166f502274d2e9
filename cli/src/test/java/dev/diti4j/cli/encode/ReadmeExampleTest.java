package dev.diti4j.cli.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The java example in README.md's section "Embedding diti4j in a JVM program" is compiled against
 * the test classpath and run on a tiny trained model, so the README cannot drift from the API.
 */
class ReadmeExampleTest {
    static final String SECTION = "## Embedding diti4j in a JVM program";

    @TempDir
    Path dir;

    /** README.md of the project: the first one above the working folder (the module folder under Maven). */
    static Path readme() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path r = d.resolve("README.md");
            if (Files.isRegularFile(r) && Files.isRegularFile(d.resolve("mvnw"))) {
                return r;
            }
        }
        throw new AssertionError("no README.md next to mvnw above " + Path.of("").toAbsolutePath());
    }

    /** The first ```java block of the section. */
    static String example(String readme) {
        int at = readme.indexOf("\n" + SECTION + "\n");
        assertTrue(at >= 0, "README.md has no section '" + SECTION + "'");
        int next = readme.indexOf("\n## ", at + SECTION.length() + 1);
        String section = readme.substring(at, next < 0 ? readme.length() : next);
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertTrue(m.find(), "the section '" + SECTION + "' has no ```java block");
        return m.group(1);
    }

    @Test
    void theReadmeExampleCompilesAndEncodesAnImage() throws Exception {
        String code = example(Files.readString(readme(), StandardCharsets.UTF_8));
        Matcher name = Pattern.compile("public\\s+class\\s+(\\w+)").matcher(code);
        assertTrue(name.find(), "the example declares no public class:\n" + code);
        Path src = Files.createDirectories(dir.resolve("src")).resolve(name.group(1) + ".java");
        Files.writeString(src, code, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(dir.resolve("classes"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "this JVM has no Java compiler");
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "-proc:none", "-Xlint:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src.toFile())).call();
        assertTrue(ok, "the README example does not compile:\n" + diagnostics);

        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 0x40);
            }
        }
        Path png = dir.resolve("photo.png");
        ImageIO.write(img, "png", png.toFile());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {TinyRuns.diti().toString(), png.toString()});
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertEquals("z has 8 numbers; subset 0 is dims [0, 2)", printed);
    }
}
