package io.jobrunner.lambda;

import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * The HTTP client the Lambda client speaks through: Apache's pooled client when the class path has
 * it (producers dispatching many invocations), else the JDK's {@code HttpURLConnection} (a
 * function's lean jar, which leaves Apache out to stay small and start fast). Each is named only
 * in its own nested class, so a class path without Apache never loads a class that mentions it.
 */
final class HttpClients {

    private static final String APACHE = "software.amazon.awssdk.http.apache.ApacheHttpClient";

    private HttpClients() {
    }

    static SdkHttpClient.Builder<?> builder() {
        return hasApache() ? Apache.builder() : UrlConnection.builder();
    }

    private static boolean hasApache() {
        try {
            Class.forName(APACHE, false, HttpClients.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static final class Apache {
        static SdkHttpClient.Builder<?> builder() {
            return ApacheHttpClient.builder();
        }
    }

    private static final class UrlConnection {
        static SdkHttpClient.Builder<?> builder() {
            return UrlConnectionHttpClient.builder();
        }
    }
}
