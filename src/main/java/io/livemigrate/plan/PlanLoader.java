package io.livemigrate.plan;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.engine.Secret;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a migration plan from YAML and validates it completely before anything connects or writes: unknown keys,
 * missing keys, bad URLs, mismatched engines, unset variables. Each problem is a {@link PlanException} naming
 * the file and the key.
 */
public final class PlanLoader {

    private static final Set<String> TOP_KEYS = Set.of("name", "source", "target", "tables", "copy", "catchup",
            "cutover", "workers", "schedules", "server");
    private static final Set<String> ENDPOINT_KEYS = Set.of("url", "user", "password", "password-file");
    private static final Set<String> TABLES_KEYS = Set.of("include", "exclude");
    private static final Set<String> COPY_KEYS = Set.of("threads", "chunk-rows", "partition-rows", "create-schema");
    private static final Set<String> CATCHUP_KEYS = Set.of("apply-threads");

    private final EnvironmentResolver environment;

    public PlanLoader() {
        this(EnvironmentResolver.system());
    }

    PlanLoader(EnvironmentResolver environment) {
        this.environment = environment;
    }

    public MigrationPlan load(Path file) {
        YamlSection root = new YamlSection(file.toString(), "", read(file), environment);
        root.allowOnly(TOP_KEYS);
        String name = root.requiredString("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw root.problem("name", "'" + name + "' is not a valid migration name; use letters, digits, '-', '_' "
                    + "or '.', at most 63 characters");
        }
        Endpoint source = endpoint(root.section("source", true), "source");
        Endpoint target = endpoint(root.section("target", true), "target");
        if (source.engineKind() != target.engineKind()) {
            throw root.problem("target.url", "source is " + source.engineKind().displayName() + " but target is "
                    + target.engineKind().displayName() + "; livemigrate moves between servers of the same engine");
        }
        WorkersSection.read(root.section("workers", false));
        ServerSection.read(root.section("server", false));
        return new MigrationPlan(name, file, source, target, tables(root.section("tables", true)),
                copy(root.section("copy", false)), catchup(root.section("catchup", false)), CutoverSection.read(root.section("cutover", false),
                Engines.of(source.engineKind()).cutover()), ScheduleSection.read(root.section("schedules", false)));
    }

    /** Schedules kept apart from the plan (ops/schedules/*.yml): a file with one {@code schedules} mapping. */
    public List<Schedule> loadSchedules(Path file) {
        YamlSection root = new YamlSection(file.toString(), "", read(file), environment);
        root.allowOnly(Set.of("schedules"));
        return ScheduleSection.read(root.section("schedules", true));
    }

    /**
     * The plan's {@code workers} section (scale-out), validated; {@link #load} validates it too, so a plan that
     * loads has a valid one.
     */
    public WorkerOptions workers(Path file) {
        return WorkersSection.read(new YamlSection(file.toString(), "", read(file), environment).section("workers", false));
    }

    /** The plan's {@code server} section, validated; {@link #load} validates it too. */
    public ServerOptions server(Path file) {
        return ServerSection.read(new YamlSection(file.toString(), "", read(file), environment).section("server", false));
    }

    private static Map<String, Object> read(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (!(doc instanceof Map<?, ?> map)) {
                throw PlanException.at(file.toString(), null, "not a migration plan: expected a YAML mapping with "
                        + "name, source, target and tables");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) map;
            return typed;
        }
        catch (NoSuchFileException e) {
            throw PlanException.at(file.toString(), null, "no such file; pass the path of a plan such as jobs/demo-postgres.yml");
        }
        catch (IOException e) {
            throw PlanException.at(file.toString(), null, "cannot read: " + e.getMessage());
        }
        catch (YAMLException e) {
            throw PlanException.at(file.toString(), null, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Endpoint endpoint(YamlSection s, String role) {
        s.allowOnly(ENDPOINT_KEYS);
        String url = s.requiredString("url");
        if (EngineKind.fromUrl(url) == null) {
            throw s.problem("url", "'" + new Endpoint(role, url, "", Secret.NONE).safeUrl()
                    + "' is not a supported JDBC URL; use " + EngineKind.URL_FORMS);
        }
        String user = s.requiredString("user");
        if (s.has("password") && s.has("password-file")) {
            throw s.problem("password", "give password or password-file, not both");
        }
        Secret password = s.has("password-file") ? passwordFile(s) : Secret.of(s.optionalString("password", ""));
        return new Endpoint(role, url, user, password);
    }

    private static Secret passwordFile(YamlSection s) {
        Path path = Path.of(s.requiredString("password-file"));
        try {
            return Secret.of(Files.readString(path).strip());
        }
        catch (IOException e) {
            throw s.problem("password-file", "cannot read " + path + " (" + e.getClass().getSimpleName()
                    + "); check the path and its permissions");
        }
    }

    private static TableFilter tables(YamlSection s) {
        s.allowOnly(TABLES_KEYS);
        List<String> include = s.stringList("include", true);
        if (include.isEmpty()) {
            throw s.problem("include", "must list at least one pattern, e.g. [\"public.*\"]");
        }
        for (String pattern : include) {
            if (!pattern.contains(".")) {
                throw s.problem("include", "'" + pattern + "' needs a schema (or MySQL database) part, e.g. \"shop."
                        + pattern + "\"");
            }
        }
        return new TableFilter(include, s.stringList("exclude", false));
    }

    private static CopyOptions copy(YamlSection s) {
        CopyOptions d = CopyOptions.DEFAULTS;
        s.allowOnly(COPY_KEYS);
        return new CopyOptions(
                (int) s.optionalLong("threads", d.threads(), 1, 256),
                (int) s.optionalLong("chunk-rows", d.chunkRows(), 1, 10_000_000),
                s.optionalLong("partition-rows", d.partitionRows(), 1, Long.MAX_VALUE),
                s.optionalBoolean("create-schema", d.createSchema()));
    }

    private static CatchupOptions catchup(YamlSection s) {
        s.allowOnly(CATCHUP_KEYS);
        return new CatchupOptions((int) s.optionalLong("apply-threads", CatchupOptions.DEFAULTS.applyThreads(), 1,
                CatchupOptions.MAX_APPLY_THREADS));
    }
}
