package dev.moryflow.gateway.internal;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

/** What the gateway does with the body of a request it refuses. */
final class RequestBodies {

    private RequestBodies() {
    }

    /**
     * Reads what the client is still sending of a refused request (nothing of it is used), so that the answer is not
     * cut off by a connection reset while the client writes its body; a body larger than {@code limit} is not read
     * (the caller then closes the connection after its answer).
     *
     * @param request the refused request
     * @param limit   the most bytes read
     * @return whether the whole body was read
     */
    static boolean drain(HttpServletRequest request, long limit) {
        long length = request.getContentLengthLong();
        if (length == 0 || (length < 0 && request.getHeader("Transfer-Encoding") == null)) {
            return true;
        }
        if (length > limit) {
            return false;
        }
        try (InputStream in = request.getInputStream()) {
            long skipped = 0;
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0;) {
                skipped += n;
                if (skipped > limit) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
