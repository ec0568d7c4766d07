package floor;

import java.io.IOException;
import java.util.Hashtable;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Benchmark floor, not part of the product: the least the hub's HTTP stack can cost. {@code /floor/noop} answers a
 * fixed JSON from a Felix HTTP Jetty servlet without any upstream call; {@code /floor/proxy} forwards the body to the
 * fake upstream with one OkHttp call and copies the answer back, with no parsing, routing, keys or events. The
 * hub's {@code /v1/chat/completions} can only be slower than {@code /floor/proxy}. Built and run by floor-bench.sh.
 */
public class FloorActivator implements BundleActivator {
    static final byte[] ANSWER = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}".getBytes();
    static final MediaType JSON = MediaType.get("application/json");

    public void start(BundleContext ctx) {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(256, 5, java.util.concurrent.TimeUnit.MINUTES)).build();
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("osgi.http.whiteboard.servlet.pattern", "/floor/noop");
        ctx.registerService(jakarta.servlet.Servlet.class, new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                req.getInputStream().readAllBytes();
                resp.setContentType("application/json");
                resp.setContentLength(ANSWER.length);
                resp.getOutputStream().write(ANSWER);
            }
        }, p);
        Hashtable<String, Object> q = new Hashtable<>();
        q.put("osgi.http.whiteboard.servlet.pattern", "/floor/proxy");
        ctx.registerService(jakarta.servlet.Servlet.class, new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                byte[] body = req.getInputStream().readAllBytes();
                Request up = new Request.Builder().url(System.getProperty("floor.upstream", "http://127.0.0.1:18080/v1/chat/completions"))
                        .post(RequestBody.create(body, JSON)).build();
                try (Response r = client.newCall(up).execute()) {
                    byte[] out = r.body().bytes();
                    resp.setStatus(r.code());
                    resp.setContentType("application/json");
                    resp.setContentLength(out.length);
                    resp.getOutputStream().write(out);
                }
            }
        }, q);
    }

    public void stop(BundleContext ctx) {
    }
}
