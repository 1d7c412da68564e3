package io.livemigrate.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs the shipped sql/ops queries (the portable ones and one flavour's) and returns their rows by file name. */
final class OpsQueries {

    static final Path DIR = Path.of("sql", "ops");

    private OpsQueries() {
    }

    static Map<String, List<Map<String, Object>>> runAll(Connection c, String flavour) throws IOException, SQLException {
        Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();
        for (Path file : files(flavour)) {
            try {
                results.put(file.getFileName().toString(), run(c, Files.readString(file)));
            }
            catch (SQLException e) {
                throw new SQLException(file + " fails on " + flavour + ": " + e.getMessage(), e);
            }
        }
        return results;
    }

    static List<Path> files(String flavour) throws IOException {
        try (Stream<Path> portable = Files.list(DIR); Stream<Path> flavoured = Files.list(DIR.resolve(flavour))) {
            return Stream.concat(portable, flavoured).filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
    }

    static List<Map<String, Object>> run(Connection c, String script) throws SQLException {
        String sql = script.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + b + "\n").strip();
        if (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i).toUpperCase(), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
