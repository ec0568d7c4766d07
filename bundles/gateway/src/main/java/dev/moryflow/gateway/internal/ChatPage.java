package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The chat page at {@code /chat}: plain HTML, CSS and JavaScript from this bundle's {@code /chat} folder. The files
 * need no token; the page calls {@code /v1} with the token the user pastes in.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({ "/chat", "/chat/*" })
public class ChatPage extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "chat.css", "text/css; charset=utf-8",
            "chat.js", "text/javascript; charset=utf-8");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null) {
            resp.sendRedirect(req.getContextPath() + "/chat/");
            return;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        String type = FILES.get(name);
        if (type == null) {
            resp.sendError(404, "no file " + name + " in the chat page");
            return;
        }
        try (InputStream in = ChatPage.class.getResourceAsStream("/chat/" + name)) {
            if (in == null) {
                resp.sendError(500, "the chat page's " + name + " is missing from the gateway bundle");
                return;
            }
            byte[] body = in.readAllBytes();
            resp.setContentType(type);
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            resp.setHeader("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }
}
