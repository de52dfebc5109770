import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.jena.atlas.web.HttpException;
import org.apache.jena.query.ARQ;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.ResultSet;
import org.apache.jena.sparql.exec.http.QueryExecutionHTTP;
import org.apache.jena.sparql.exec.http.UpdateExecutionHTTP;
import org.apache.jena.sys.JenaSystem;

/**
 * Writes to a Comity endpoint the way a Jena application does: a java.net.http.HttpClient
 * whose Authenticator answers the server's Basic challenge, handed to Jena's HTTP builders.
 *
 * <p>Arguments: the SPARQL endpoint, the server's token (sent as the Basic password) and the
 * graph to write to. Each outcome is one "name=value" line on stdout, for the Python test to
 * read; a refusal is the HTTP status Jena reports, so one refusal does not end the run.
 */
public final class JenaClient {
    private static final String SUBJECT = "http://example.org/jena-subject";
    private static final String PREDICATE = "http://example.org/said";

    private JenaClient() {}

    public static void main(String[] args) {
        String endpoint = args[0];
        String token = args[1];
        String graph = args[2];
        JenaSystem.init();
        System.out.println("jena_version=" + ARQ.VERSION);

        HttpClient withToken = client(new Basic("any name", token));
        report("write_with_token", () -> write(withToken, endpoint, graph, "by jena"));
        report("read_back", () -> readBack(withToken, endpoint, graph));
        HttpClient wrongPassword = client(new Basic("any name", token + "-wrong"));
        report("write_with_wrong_password", () -> write(wrongPassword, endpoint, graph, "wrong"));
        HttpClient anonymous = client(null);
        report("write_without_credentials", () -> write(anonymous, endpoint, graph, "none"));
    }

    /** Gives the credentials to the server that asks, never to a proxy on the way. */
    private static final class Basic extends Authenticator {
        private final String user;
        private final String password;

        Basic(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        protected PasswordAuthentication getPasswordAuthentication() {
            if (getRequestorType() != RequestorType.SERVER) {
                return null;
            }
            return new PasswordAuthentication(user, password.toCharArray());
        }
    }

    private static HttpClient client(Authenticator authenticator) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20));
        if (authenticator != null) {
            builder.authenticator(authenticator);
        }
        return builder.build();
    }

    private static String write(HttpClient client, String endpoint, String graph, String text) {
        String update = String.format(
                "INSERT DATA { GRAPH <%s> { <%s> <%s> \"%s\" } }", graph, SUBJECT, PREDICATE, text);
        UpdateExecutionHTTP.service(endpoint).httpClient(client).update(update).build().execute();
        return "ok";
    }

    /** The texts the graph holds for the subject, joined by "|", so extra ones would show. */
    private static String readBack(HttpClient client, String endpoint, String graph) {
        String query = String.format(
                "SELECT ?text WHERE { GRAPH <%s> { <%s> <%s> ?text } } ORDER BY ?text",
                graph, SUBJECT, PREDICATE);
        try (QueryExecution execution =
                QueryExecutionHTTP.service(endpoint).httpClient(client).query(query).build()) {
            ResultSet results = execution.execSelect();
            StringBuilder texts = new StringBuilder();
            while (results.hasNext()) {
                if (texts.length() > 0) {
                    texts.append('|');
                }
                texts.append(results.next().getLiteral("text").getLexicalForm());
            }
            return texts.toString();
        }
    }

    /**
     * Prints the action's outcome: its value, the status of an HTTP refusal, or for any other
     * failure the exception and the method it came from (the trace goes to stderr).
     */
    private static void report(String name, Supplier<String> action) {
        String outcome;
        try {
            outcome = action.get();
        } catch (HttpException refusal) {
            outcome = String.valueOf(refusal.getStatusCode());
        } catch (RuntimeException failure) {
            failure.printStackTrace();
            StackTraceElement[] trace = failure.getStackTrace();
            String origin = trace.length == 0
                    ? "?"
                    : trace[0].getClassName() + "." + trace[0].getMethodName();
            outcome = "error " + failure.getClass().getName() + " at " + origin;
        }
        System.out.println(name + "=" + outcome);
        System.out.flush();
    }
}
