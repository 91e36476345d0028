package io.swaggersocket.connection;

/**
 * Which end of the WebSocket this application is for a connection.
 */
public enum ConnectionRole {

	/** This application accepted the WebSocket upgrade (the hub). */
	SERVER,

	/** This application dialed out (an agent). */
	CLIENT

}
